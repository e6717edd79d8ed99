// chat-cli group create/add/remove/leave/role: group commands, each
// answered by the group's `conv` state (PROTOCOL.md "Groups").
#include <memory>
#include <vector>

#include "cli_options.h"

namespace chat::cli {
namespace {

struct GroupOptions {
  std::string title;
  std::string conv;
  std::string user;
  std::string role;
  std::vector<std::string> users;  // --members of create, --users of add/remove
};

enum class GroupAction { kCreate, kAdd, kRemove, kLeave, kRole };

client::RequestResult Publish(client::ChatClient& chat, GroupAction action, const GroupOptions& o) {
  switch (action) {
    case GroupAction::kCreate: return chat.CreateGroup(o.title, o.users);
    case GroupAction::kAdd: return chat.AddMembers(o.conv, o.users);
    case GroupAction::kRemove: return chat.RemoveMembers(o.conv, o.users);
    case GroupAction::kLeave: return chat.LeaveGroup(o.conv);
    case GroupAction::kRole: return chat.SetRole(o.conv, o.user, o.role);
  }
  return {};
}

int RunGroup(const GlobalOptions& global, GroupAction action, const GroupOptions& options) {
  return RunRequest(
      global, [&](client::ChatClient& chat) { return Publish(chat, action, options); },
      client::event_type::kConv);
}

CLI::App* AddAction(CLI::App& group, const char* name, const char* help, GroupAction action,
                    const GlobalOptions& global, Runner& run,
                    const std::shared_ptr<GroupOptions>& options) {
  CLI::App* sub = group.add_subcommand(name, help);
  sub->callback([options, action, &global, &run] {
    run = [options, action, &global] { return RunGroup(global, action, *options); };
  });
  return sub;
}

void AddConvOption(CLI::App* sub, GroupOptions& options) {
  sub->add_option("--conv", options.conv, "The group's conversation id")
      ->required()
      ->check(UserIdValidator());
}

void AddUsersOption(CLI::App* sub, const char* name, GroupOptions& options) {
  sub->add_option(name, options.users, "User ids, comma-separated")
      ->required()
      ->delimiter(',')
      ->check(UserIdValidator());
}

}  // namespace

void AddGroupCommand(CLI::App& app, const GlobalOptions& global, Runner& run) {
  auto options = std::make_shared<GroupOptions>();
  CLI::App* group = app.add_subcommand(
      "group",
      "Create and manage groups. Each subcommand prints the group's state after the change (the "
      "`conv` reply) as one JSON line; every change also appears in the group's stream as a "
      "system message with its own seq.");
  group->require_subcommand(1);
  group->footer(R"(
Who may: anyone creates; owner and admins add; the owner removes anyone,
admins remove members; any member leaves; the owner sets roles. Errors
(forbidden, not_member, not_group, group_full, unknown_user) exit 2.

Examples:
  chat-cli --user alice --device laptop --token-file t group create --title Climbing --members bob,carol
  chat-cli --user alice --device laptop --token-file t group add --conv c7a01 --users dave
  chat-cli --user alice --device laptop --token-file t group remove --conv c7a01 --users carol,dave
  chat-cli --user bob --device phone --token-file t group leave --conv c7a01
  chat-cli --user alice --device laptop --token-file t group role --conv c7a01 --user bob --role admin
)");
  CLI::App* create = AddAction(*group, "create", "Create a group with you as owner.",
                               GroupAction::kCreate, global, run, options);
  create->add_option("--title", options->title, "The group's title (1..200 bytes)")->required();
  AddUsersOption(create, "--members", *options);
  create->footer("\nExample:\n  chat-cli ... group create --title Climbing --members bob,carol\n");

  CLI::App* add = AddAction(*group, "add", "Add users to a group (owner, admin).",
                            GroupAction::kAdd, global, run, options);
  AddConvOption(add, *options);
  AddUsersOption(add, "--users", *options);
  add->footer("\nExample:\n  chat-cli ... group add --conv c7a01 --users dave,erin\n");

  CLI::App* remove = AddAction(*group, "remove", "Remove users from a group.", GroupAction::kRemove,
                               global, run, options);
  AddConvOption(remove, *options);
  AddUsersOption(remove, "--users", *options);
  remove->footer("\nExample:\n  chat-cli ... group remove --conv c7a01 --users carol\n");

  CLI::App* leave =
      AddAction(*group, "leave", "Leave a group.", GroupAction::kLeave, global, run, options);
  AddConvOption(leave, *options);
  leave->footer("\nExample:\n  chat-cli ... group leave --conv c7a01\n");

  CLI::App* role = AddAction(*group, "role", "Make a member admin, or member again (owner).",
                             GroupAction::kRole, global, run, options);
  AddConvOption(role, *options);
  role->add_option("--user", options->user, "The member")->required()->check(UserIdValidator());
  role->add_option("--role", options->role, "admin or member")
      ->required()
      ->check(CLI::IsMember({"admin", "member"}));
  role->footer("\nExample:\n  chat-cli ... group role --conv c7a01 --user bob --role admin\n");
}

}  // namespace chat::cli
