// Asio is compiled separately (BOOST_ASIO_SEPARATE_COMPILATION) and its one compiled copy
// lives in llmgate_http (src/http/beast_impl.cpp), which billing may not depend on. The
// ledger uses asio (post, async_initiate), so this test binary supplies asio's compiled part
// itself. Remove once asio's implementation moves to a library billing links.
#include <boost/asio/impl/src.hpp>
