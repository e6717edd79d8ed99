// WAL checkpoints run off the writer's thread, and the WAL stays bounded.
#include "chat/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

namespace chat {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/wal_checkpointer_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    RemoveFiles();
    db_ = std::make_unique<Database>(Database::Open(path_));
    db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }
  void TearDown() override {
    db_.reset();
    RemoveFiles();
  }
  void RemoveFiles() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  // One transaction per row, as a writer under light load commits.
  void Commit(int rows) {
    for (int i = 0; i < rows; ++i) {
      Transaction txn(*db_);
      db_->Cached("INSERT INTO t (body) VALUES (?1)")->Bind(1, std::string(3000, 'x')).Run();
      txn.Commit();
    }
  }
  int64_t RowsSeenByANewConnection() {
    auto reader = Database::Open(path_, Database::Mode::kReadOnly);
    auto count = reader.Prepare("SELECT count(*) FROM t");
    count.Step();
    return count.Int(0);
  }
  std::uintmax_t WalBytes() {
    std::error_code ignored;
    return std::filesystem::file_size(path_ + "-wal", ignored);
  }
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(WalCheckpointerTest, CheckpointsOnItsOwnThreadOnceTheWalIsLongEnough) {
  WalCheckpointer checkpointer(
      *db_, {.frames_wanted = 50, .frames_finish = 10, .frames_inline = 1'000'000});
  Commit(400);
  for (int i = 0; i < 200 && checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(checkpointer.checkpoints(), 0);
  EXPECT_EQ(checkpointer.inline_checkpoints(), 0);
  EXPECT_EQ(RowsSeenByANewConnection(), 400);
}

TEST_F(WalCheckpointerTest, TheWriterStillCheckpointsWhenTheWalOutgrowsTheInlineBound) {
  // An idle period longer than the test, and a wanted threshold that the
  // writer crosses first: only the inline bound can keep the WAL short.
  WalCheckpointer checkpointer(
      *db_,
      {.frames_wanted = 1'000'000, .frames_inline = 40, .idle_period = std::chrono::hours(1)});
  Commit(300);
  EXPECT_GT(checkpointer.inline_checkpoints(), 0);
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  // 300 rows of 3 KB make ~1.2 MB of frames; a WAL that restarts after each
  // inline checkpoint stays near 40 frames of 4 KiB.
  EXPECT_LT(WalBytes(), 400u * 1024u);
}

TEST_F(WalCheckpointerTest, AnIdleDatabaseIsCheckpointedAfterTheIdlePeriod) {
  WalCheckpointer checkpointer(*db_, {.frames_wanted = 1'000'000,
                                      .frames_inline = 1'000'000,
                                      .idle_period = std::chrono::milliseconds(50)});
  Commit(5);
  for (int i = 0; i < 200 && checkpointer.checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(checkpointer.checkpoints(), 0);
}

TEST_F(WalCheckpointerTest, TheWriterFinishesADueCheckpointAndTheNextWriteRestartsTheWal) {
  // Every due WAL counts as nearly done here, so the thread is never asked.
  WalCheckpointer checkpointer(*db_, {.frames_wanted = 50,
                                      .frames_finish = 1'000'000,
                                      .frames_inline = 1'000'000,
                                      .idle_period = std::chrono::hours(1)});
  Commit(10);
  checkpointer.FinishOnWriterThread();  // not due yet: a WAL of ~10 frames
  EXPECT_EQ(checkpointer.finished_checkpoints(), 0);

  Commit(60);
  checkpointer.FinishOnWriterThread();
  EXPECT_EQ(checkpointer.finished_checkpoints(), 1);
  checkpointer.FinishOnWriterThread();  // nothing left to copy
  EXPECT_EQ(checkpointer.finished_checkpoints(), 1);
  EXPECT_EQ(checkpointer.restarts(), 0);

  Commit(1);
  EXPECT_EQ(checkpointer.restarts(), 1);
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  EXPECT_EQ(RowsSeenByANewConnection(), 71);
}

TEST_F(WalCheckpointerTest, UnderSteadyCommitsTheWalKeepsRestarting) {
  // A writer that never waits for the checkpoints: the thread copies the
  // bulk, the writer the last frames between its commits, and the WAL starts
  // again each time. The writer pauses 1 ms every 50 commits, as a writer
  // between batches does, so the thread runs even on a busy machine (ctest
  // runs several tests at once); it commits until three checkpoints were
  // finished, 20 s at most.
  WalCheckpointer checkpointer(*db_, {.frames_wanted = 100,
                                      .frames_finish = 30,
                                      .frames_inline = 1'000'000,
                                      .idle_period = std::chrono::hours(1)});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int rows = 0;
  while ((rows < 1500 || checkpointer.finished_checkpoints() < 3) &&
         std::chrono::steady_clock::now() < deadline) {
    Commit(1);
    checkpointer.FinishOnWriterThread();
    if (++rows % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_GE(checkpointer.restarts(), 3);
  EXPECT_GE(checkpointer.finished_checkpoints(), 3);
  EXPECT_EQ(checkpointer.inline_checkpoints(), 0);
  // 1500 rows of 3 KB are over 6 MB of frames; a WAL that keeps restarting
  // stays within a few hundred frames of 4 KiB.
  EXPECT_LT(WalBytes(), 1000u * 4096u);
  EXPECT_EQ(RowsSeenByANewConnection(), rows);
}

TEST_F(WalCheckpointerTest, SQLitesOwnAutomaticCheckpointIsOff) {
  WalCheckpointer checkpointer(*db_);
  auto pragma = db_->Prepare("PRAGMA wal_autocheckpoint");
  ASSERT_EQ(pragma.Step(), Statement::StepResult::kRow);
  EXPECT_EQ(pragma.Int(0), 0);
}

}  // namespace
}  // namespace chat
