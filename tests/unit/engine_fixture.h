// The store conformance suite's fixture: every TEST_P of a suite derived from
// EngineFixture runs once on SQLite and once on PostgreSQL (the scratch
// server of the ctest fixture scratch_postgres), on a fresh, migrated
// database of its own. INSTANTIATE_ON_BOTH_ENGINES(Suite)
// (chat/support/test_database.h) instantiates it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "chat/database.h"
#include "chat/support/test_database.h"
#include "store/migrator.h"

namespace chat {

class EngineFixture : public ::testing::TestWithParam<Database::Engine> {
 protected:
  // Makes db_ (migrated) and target_; call first in SetUp.
  void OpenFreshDatabase() {
    if (GetParam() == Database::Engine::kPostgres && !support::TestDatabase::PostgresServer()) {
      GTEST_SKIP() << "no scratch PostgreSQL server: run through ctest (fixture scratch_postgres)";
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    test_db_ = std::make_unique<support::TestDatabase>(
        GetParam(), std::string(info->test_suite_name()) + "_" + info->name());
    target_ = test_db_->target();
    db_ = std::make_unique<Database>(test_db_->Open());
    ApplyMigrations(*db_);
  }
  // Call last in TearDown (after whatever uses db_ is gone).
  void CloseDatabase() {
    db_.reset();
    test_db_.reset();
  }
  bool OnPostgres() const { return GetParam() == Database::Engine::kPostgres; }

  // Until StopFailingInserts(table), every insert into `table` fails as a
  // broken disk would make it fail: the engine aborts the statement.
  void FailInserts(const std::string& table) {
    if (OnPostgres()) {
      db_->Exec(
          "CREATE OR REPLACE FUNCTION disk_on_fire() RETURNS trigger LANGUAGE plpgsql AS "
          "$$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$");
      db_->Exec("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table +
                " FOR EACH ROW EXECUTE FUNCTION disk_on_fire()");
    } else {
      db_->Exec("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table +
                " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    }
  }
  void StopFailingInserts(const std::string& table) {
    db_->Exec("DROP TRIGGER fail_" + table + (OnPostgres() ? " ON " + table : std::string()));
  }

  std::unique_ptr<support::TestDatabase> test_db_;
  std::unique_ptr<Database> db_;
  std::string target_;  // what a config's db_path would say
};

}  // namespace chat
