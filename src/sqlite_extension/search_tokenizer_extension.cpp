// The chat records' search tokenizer as a loadable extension of the sqlite3 shell, which
// cannot read the search index without it ("no such tokenizer: llmgate"):
//   sqlite3 data/llmgate.db -cmd '.load build/release/libllmgate_sqlite_search'
// The bench fills its grown database this way. Not linked into the gateway, which registers
// the same tokenizer on each connection it opens (store/sqlite/connection.cpp).

#include <sqlite3ext.h>

#include "store/sqlite/search_tokenizer.hpp"

SQLITE_EXTENSION_INIT1

extern "C" int sqlite3_extension_init(sqlite3* db, char** error, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  // As connection.cpp's fts5_api_of, but here every sqlite3_* call goes through `api` (the
  // shell's SQLite, sqlite3ext.h), so the few lines are not shared.
  fts5_api* fts5 = nullptr;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(statement, 1, static_cast<void*>(&fts5), "fts5_api_ptr", nullptr);
    sqlite3_step(statement);
  }
  sqlite3_finalize(statement);
  const int rc = store::sqlite::register_search_tokenizer(fts5);
  if (rc != SQLITE_OK) *error = sqlite3_mprintf("cannot register the llmgate tokenizer");
  return rc;
}
