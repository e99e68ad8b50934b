// Boost.Asio's compiled part, once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION is
// set project-wide). Its own library so that billing and records, which await on Asio
// without doing network I/O, need not link the http layer.
#include <boost/asio/impl/src.hpp>
