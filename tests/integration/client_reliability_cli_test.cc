// chat-cli on the real stack: the outbox across runs with --state, sync,
// groups, history and read from a shell.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "client_reliability_support.h"

namespace chat::testing {
namespace {

using json = nlohmann::json;

class CliTest : public ::testing::Test {
 protected:
  std::string Cli(const std::string& user, const std::string& device) {
    std::string token = stack_.dir() + "/" + user + "-" + device + ".token";
    FILE* f = fopen(token.c_str(), "w");
    fputs(stack_.Provision(user, device).c_str(), f);
    fclose(f);
    return std::string(CHAT_CLI_PATH) + " --port " + std::to_string(stack_.port()) + " --user " +
           user + " --device " + device + " --token-file " + token;
  }
  std::string State(const std::string& name) { return " --state " + stack_.dir() + "/" + name; }

  TestStack stack_;
};

TEST_F(CliTest, AnUnacceptedSendIsKeptInTheStateFileAndSentByTheNextRun) {
  std::string alice = Cli("alice", "cli") + State("alice.db");
  std::string bob = Cli("bob", "cli") + State("bob.db");
  stack_.StopChatd(SIGKILL);
  auto [out, rc] = Shell(alice + " --timeout-s 1 send --to bob --cmid first-1 first 2>&1");
  EXPECT_EQ(rc, 3) << out;
  EXPECT_NE(out.find("resent by the next run"), std::string::npos) << out;
  stack_.StartChatd();
  auto [out2, rc2] = Shell(alice + " send --to bob --cmid second-1 second");
  ASSERT_EQ(rc2, 0) << out2;
  EXPECT_EQ(json::parse(out2)["seq"], 2);  // the first went out first
  auto [synced, rc3] = Shell(bob + " sync");
  ASSERT_EQ(rc3, 0) << synced;
  EXPECT_LT(synced.find("\"body\":\"first\""), synced.find("\"body\":\"second\"")) << synced;
  json list = json::parse(synced.substr(synced.rfind('\n', synced.size() - 2) + 1));
  ASSERT_EQ(list["convs"].size(), 1u) << synced;
  EXPECT_EQ(list["convs"][0]["unread"], 2);
  auto [again, rc4] = Shell(bob + " sync");
  ASSERT_EQ(rc4, 0) << again;
  EXPECT_EQ(again.find("\"body\""), std::string::npos) << "nothing new: " << again;
}

TEST_F(CliTest, ChatPrintsEveryAcceptedLineAndSavesThePositionAtExit) {
  std::string alice = Cli("alice", "cli") + State("alice.db");
  Cli("bob", "cli");
  auto [out, rc] = Shell("printf 'one\\ntwo\\n' | " + alice + " chat --to bob");
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("alice/cli: one"), std::string::npos) << out;
  EXPECT_NE(out.find("alice/cli: two"), std::string::npos) << out;
  auto [again, rc2] = Shell(alice + " sync");
  ASSERT_EQ(rc2, 0) << again;
  EXPECT_EQ(again.find("\"body\""), std::string::npos) << "both were taken and saved: " << again;
}

TEST_F(CliTest, GroupHistoryAndReadSubcommands) {
  std::string alice = Cli("alice", "cli");
  Cli("bob", "cli");
  stack_.Provision("carol", "cli");
  auto [made, rc] = Shell(alice + " group create --title Climbing --members bob,carol");
  ASSERT_EQ(rc, 0) << made;
  std::string group = json::parse(made)["conv"];
  auto [removed, rc2] = Shell(alice + " group remove --conv " + group + " --users carol");
  ASSERT_EQ(rc2, 0) << removed;
  EXPECT_EQ(json::parse(removed)["members"], json({"alice", "bob"}));
  auto [sent, rc3] = Shell(alice + " send --conv " + group + " hi group");
  ASSERT_EQ(rc3, 0) << sent;
  auto [page, rc4] = Shell(alice + " history --conv " + group + " --limit 2");
  ASSERT_EQ(rc4, 0) << page;
  EXPECT_EQ(json::parse(page)["messages"].size(), 2u);
  auto [read, rc5] = Shell(Cli("bob", "cli") + " read --conv " + group + " --seq 3");
  ASSERT_EQ(rc5, 0) << read;
  EXPECT_EQ(json::parse(read)["type"], "receipts") << read;
  EXPECT_EQ(json::parse(read)["read"], json({"bob"})) << read;
  auto [again, rc6] = Shell(Cli("bob", "cli") + " read --conv " + group + " --seq 3");
  ASSERT_EQ(rc6, 0) << again;  // nothing moved: the same state
  EXPECT_EQ(json::parse(again)["read"], json({"bob"})) << again;
}

}  // namespace
}  // namespace chat::testing
