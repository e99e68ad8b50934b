// The one translation unit that compiles Asio's OpenSSL glue and Boost.Beast
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set project-wide;
// Asio itself is compiled in src/asio/asio_impl.cpp).
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
