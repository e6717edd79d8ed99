// FcmProvider: the request, the 401 retry, the verdict.
#include "fcm_provider.h"

#include "payload.h"
#include "verdict.h"

namespace chat::push {

FcmProvider::FcmProvider(FcmCredentials credentials, FcmOptions options, SecondsClock clock)
    : credentials_(std::move(credentials)),
      options_(std::move(options)),
      clock_(std::move(clock)),
      url_(options_.endpoint + "/v1/projects/" + credentials_.project_id() + "/messages:send"),
      client_(options_.http) {}

void FcmProvider::Submit(const Notification& notification, SendCallback done) {
  Send(notification, std::move(done), /*after_401=*/false);
}

void FcmProvider::Send(const Notification& notification, SendCallback done, bool after_401) {
  StatusOr<std::string> token = credentials_.AccessToken();
  if (!token.ok()) {
    bool unreachable = token.status().code() == Status::Code::kNotConnected;
    deferred_.Add(std::move(done),
                  Refusal(unreachable ? Verdict::kRetry : Verdict::kCredentialFault,
                          token.status().message()));
    return;
  }
  HttpRequest request;
  request.url = url_;
  request.headers = {"authorization: Bearer " + *token, "content-type: application/json"};
  request.body = BuildFcmMessage(notification, clock_());
  client_.Submit(std::move(request), [this, notification, done = std::move(done), used = *token,
                                      after_401](const HttpResponse& answer) {
    if (answer.status == 401 && !after_401) {
      credentials_.Invalidate(used);
      Send(notification, done, /*after_401=*/true);
      return;
    }
    done(ClassifyFcmAnswer(answer, clock_()));
  });
}

int FcmProvider::Poll(int timeout_ms) {
  int delivered = deferred_.Deliver();
  int in_flight = client_.Poll(delivered > 0 ? 0 : timeout_ms);
  return in_flight + deferred_.size();
}

}  // namespace chat::push
