// The service's JSON API over loopback: every status code the API promises,
// progress by stage, result expiry, and concurrent uploads. An in-process
// server with toy methods whose timing the test controls (a gate), so no
// assertion depends on how fast the machine is.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/color.h"
#include "serve/http_server.h"
#include "serve/local_queue.h"
#include "serve/runner.h"

// Last: its <resolv.h> defines a macro `_res` that Eigen headers use as a name.
#include <httplib.h>

namespace tint {
namespace {

using nlohmann::json;

// Opens once; every Wait returns after that.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> waiting{0};
  void Open() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
  void Wait() {
    ++waiting;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return open; });
  }
};

// Paints a = 20 everywhere after reporting a stage; with a gate, waits there.
class ToyColorizer : public Colorizer {
 public:
  ToyColorizer(std::string name, std::shared_ptr<Gate> gate, bool fail = false, bool throws = false)
      : name_(std::move(name)), gate_(std::move(gate)), fail_(fail), throws_(throws) {}
  std::string name() const override { return name_; }
  Status Colorize(const cv::Mat& lightness, cv::Mat* ab, ColorizeDetails* details) const override {
    if (details != nullptr) details->Stage("matching", 0.5);
    if (name_ == "endless") {  // works in blocks until told to stop (at most 60 s)
      for (int i = 0; i < 6000; ++i) {
        if (details != nullptr && details->Stopped()) return StoppedStatus();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    if (gate_ != nullptr) gate_->Wait();
    if (fail_) return Status::Error("toy failure");
    TINT_CHECK(!throws_, "a toy precondition\nover two lines");
    *ab = cv::Mat(lightness.size(), CV_32FC2, cv::Scalar(20, 0));
    return Status::Ok();
  }

 private:
  std::string name_;
  std::shared_ptr<Gate> gate_;
  bool fail_, throws_;
};

std::string Png(const cv::Mat& image) {
  std::vector<uint8_t> bytes;
  cv::imencode(".png", image, bytes);
  return std::string(bytes.begin(), bytes.end());
}

cv::Mat Gradient(int w, int h) {
  cv::Mat grey(h, w, CV_8U);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) grey.at<uint8_t>(y, x) = static_cast<uint8_t>((x * 3 + y) % 256);
  return grey;
}

class ApiTest : public ::testing::Test {
 protected:
  void Start(LocalQueueOptions queue_options = {}, HttpOptions http = {},
             int64_t max_pixels = 1'000'000) {
    gate_ = std::make_shared<Gate>();
    std::map<std::string, std::unique_ptr<Colorizer>> colorizers;
    colorizers["toy"] = std::make_unique<ToyColorizer>("toy", nullptr);
    colorizers["gated"] = std::make_unique<ToyColorizer>("gated", gate_);
    colorizers["broken"] = std::make_unique<ToyColorizer>("broken", nullptr, true);
    colorizers["throws"] = std::make_unique<ToyColorizer>("throws", nullptr, false, true);
    colorizers["endless"] = std::make_unique<ToyColorizer>("endless", nullptr);
    std::vector<ServedMethod> methods = {{"toy", "a = 20"},
                                         {"gated", "a = 20 when the test says"},
                                         {"broken", "fails"},
                                         {"throws", "breaks a precondition"},
                                         {"endless", "works until stopped"}};
    ImageReadOptions read;
    read.max_pixels = max_pixels;
    runner_ = std::make_unique<JobRunner>(methods, std::move(colorizers), read);
    runner_->set_job_timeout(job_timeout_);
    queue_ = std::make_unique<LocalJobQueue>(runner_.get(), queue_options);
    http.port = 0;
    http_ = std::make_unique<HttpService>(queue_.get(), methods, read, http);
    ASSERT_TRUE(http_->Bind(&port_).ok());
    serving_ = std::thread([this] { http_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(30);
    // Ready when /healthz answers.
    for (int i = 0; i < 200; ++i) {
      if (auto r = client_->Get("/healthz"); r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the server did not answer";
  }

  void TearDown() override {
    if (gate_) gate_->Open();
    if (http_) http_->Stop();
    if (serving_.joinable()) serving_.join();
    queue_.reset();
  }

  httplib::Result Submit(const std::string& bytes, const std::string& method = "toy",
                         httplib::Client* client = nullptr) {
    httplib::MultipartFormDataItems items = {{"image", bytes, "photo.png", "image/png"},
                                             {"method", method, "", ""}};
    return (client != nullptr ? client : client_.get())->Post("/api/jobs", items);
  }

  json Job(const std::string& id) {
    auto r = client_->Get(("/api/jobs/" + id).c_str());
    EXPECT_TRUE(r);
    if (!r || r->status != 200) return json();
    return json::parse(r->body);
  }

  // Polls until the job is done or failed (at most 30 s).
  json WaitFinished(const std::string& id) {
    for (int i = 0; i < 3000; ++i) {
      json j = Job(id);
      if (j.is_null() || j["state"] == "done" || j["state"] == "failed") return j;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return json();
  }

  double job_timeout_ = 0;
  std::shared_ptr<Gate> gate_;
  std::unique_ptr<JobRunner> runner_;
  std::unique_ptr<LocalJobQueue> queue_;
  std::unique_ptr<HttpService> http_;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

void ExpectError(const httplib::Result& r, int status, const std::string& words) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, status) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  const json body = json::parse(r->body);
  EXPECT_NE(body.value("error", "").find(words), std::string::npos) << r->body;
}

TEST_F(ApiTest, PageMethodsHealthAndMetrics) {
  Start();
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<canvas id=\"preloader\""), std::string::npos);
  EXPECT_EQ(client_->Get("/app.js")->status, 200);
  EXPECT_EQ(client_->Get("/style.css")->status, 200);

  auto methods = client_->Get("/api/methods");
  ASSERT_EQ(methods->status, 200);
  const json m = json::parse(methods->body);
  ASSERT_EQ(m["methods"].size(), 5u);
  EXPECT_EQ(m["methods"][0]["name"], "toy");
  EXPECT_EQ(m["max_pixels"], 1'000'000);

  EXPECT_EQ(json::parse(client_->Get("/healthz")->body)["status"], "ok");
  auto metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("tint_queue_length 0"), std::string::npos);
  EXPECT_NE(metrics->body.find("# TYPE tint_job_latency_seconds histogram"), std::string::npos);
  ExpectError(client_->Get("/no/such/page"), 404, "no such page");
}

TEST_F(ApiTest, AJobRunsToAColourResultThatKeepsLightness) {
  Start();
  const cv::Mat grey = Gradient(64, 48);
  auto r = Submit(Png(grey));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const json accepted = json::parse(r->body);
  const std::string id = accepted["id"];
  EXPECT_TRUE(IsJobId(id));
  EXPECT_EQ(r->get_header_value("Location"), "/api/jobs/" + id);

  const json done = WaitFinished(id);
  ASSERT_EQ(done["state"], "done") << done.dump();
  EXPECT_EQ(done["progress"], 1.0);
  EXPECT_EQ(done["width"], 64);
  EXPECT_EQ(done["height"], 48);
  EXPECT_GE(done["timings"]["run"].get<double>(), 0.0);
  EXPECT_EQ(done["result"], "/api/jobs/" + id + "/result.png");

  auto png = client_->Get(("/api/jobs/" + id + "/result.png").c_str());
  ASSERT_EQ(png->status, 200);
  EXPECT_EQ(png->get_header_value("Content-Type"), "image/png");
  const cv::Mat colour =
      cv::imdecode(std::vector<uint8_t>(png->body.begin(), png->body.end()), cv::IMREAD_COLOR);
  ASSERT_EQ(colour.size(), grey.size());
  // a = 20 shows as red over grey; L is the input's.
  cv::Mat lab;
  cv::cvtColor(colour, lab, cv::COLOR_BGR2Lab);
  cv::Mat grey_lab;
  cv::cvtColor(grey, grey_lab, cv::COLOR_GRAY2BGR);
  cv::cvtColor(grey_lab, grey_lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> a, b;
  cv::split(lab, a);
  cv::split(grey_lab, b);
  EXPECT_GT(cv::mean(a[1])[0], 128 + 10);
  double max_dl = 0;
  cv::Mat diff;
  cv::absdiff(a[0], b[0], diff);
  cv::minMaxLoc(diff, nullptr, &max_dl);
  EXPECT_LE(max_dl, 3);  // 8-bit L (0..255) rounding through the gamut clamp

  auto grey_png = client_->Get(("/api/jobs/" + id + "/grey.png").c_str());
  ASSERT_EQ(grey_png->status, 200);
  EXPECT_EQ(grey_png->get_header_value("Content-Type"), "image/png");
}

// Strokes sent with the photo correct the method's colour where they are
// drawn (the toy paints a = 20, reddish, everywhere; a green stroke makes
// its own rows green), and with a short reach the far side keeps the
// method's colour. Bad strokes are the submit's 400, naming what is wrong.
TEST_F(ApiTest, StrokesCorrectTheMethodWhereTheyAreDrawn) {
  Start();
  const cv::Mat grey(48, 96, CV_8U, cv::Scalar(128));
  cv::Mat strokes(48, 96, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  strokes(cv::Rect(4, 20, 8, 8)).setTo(cv::Scalar(40, 160, 40, 255));  // green, opaque
  auto submit = [&](const std::string& hints, const std::string& reach) {
    httplib::MultipartFormDataItems items = {{"image", Png(grey), "photo.png", "image/png"},
                                             {"method", "toy", "", ""}};
    if (!hints.empty()) items.push_back({"hints", hints, "strokes.png", "image/png"});
    if (!reach.empty()) items.push_back({"hint_reach", reach, "", ""});
    return client_->Post("/api/jobs", items);
  };
  auto r = submit(Png(strokes), "6");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id = json::parse(r->body)["id"];
  const json done = WaitFinished(id);
  ASSERT_EQ(done["state"], "done") << done.dump();
  auto png = client_->Get(("/api/jobs/" + id + "/result.png").c_str());
  ASSERT_EQ(png->status, 200);
  cv::Mat lab;
  cv::cvtColor(
      cv::imdecode(std::vector<uint8_t>(png->body.begin(), png->body.end()), cv::IMREAD_COLOR), lab,
      cv::COLOR_BGR2Lab);
  EXPECT_LT(lab.at<cv::Vec3b>(24, 8)[1], 128 - 10);   // under the stroke: green
  EXPECT_GT(lab.at<cv::Vec3b>(24, 90)[1], 128 + 10);  // far away: the toy's red

  const auto refused = [&](const std::string& hints, const std::string& reach,
                           const std::string& words) {
    auto bad = submit(hints, reach);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << bad->body;
    EXPECT_NE(bad->body.find(words), std::string::npos) << bad->body;
  };
  refused(Png(cv::Mat(10, 10, CV_8UC4, cv::Scalar(0, 200, 0, 255))), "", "but the photo is 96x48");
  refused(Png(cv::Mat(48, 96, CV_8UC4, cv::Scalar(0, 0, 0, 0))), "", "stroke");
  refused("not a png", "", "field 'hints'");
  refused("", "40", "hint_reach needs strokes");
  refused(Png(strokes), "-1", "hint_reach must be");
  refused(Png(strokes), "far", "hint_reach must be");
  httplib::MultipartFormDataItems extra = {{"image", Png(grey), "photo.png", "image/png"},
                                           {"colour", "red", "", ""}};
  auto unknown = client_->Post("/api/jobs", extra);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("unknown form field 'colour'"), std::string::npos) << unknown->body;
}

// A re-run (new strokes, another method to compare) names the job whose
// photo it colours again instead of uploading it: the queue keeps the
// upload for the job's lifetime, from its submission on.
TEST_F(ApiTest, ARerunNamesAnEarlierJobsPhotoInsteadOfUploadingIt) {
  LocalQueueOptions q;
  q.workers = 1;
  Start(q);
  const cv::Mat grey = Gradient(96, 48);
  auto first = Submit(Png(grey), "gated");  // held: its photo is already there to name
  ASSERT_EQ(first->status, 202) << first->body;
  const std::string id = json::parse(first->body)["id"];
  cv::Mat strokes(48, 96, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  strokes(cv::Rect(4, 20, 8, 8)).setTo(cv::Scalar(40, 160, 40, 255));  // green, opaque
  auto again = [&](const std::string& from, const std::string& hints = "") {
    httplib::MultipartFormDataItems items = {{"from", from, "", ""}, {"method", "toy", "", ""}};
    if (!hints.empty()) {
      items.push_back({"hints", hints, "strokes.png", "image/png"});
      items.push_back({"hint_reach", "6", "", ""});
    }
    return client_->Post("/api/jobs", items);
  };
  auto compared = again(id);
  ASSERT_EQ(compared->status, 202) << compared->body;
  gate_->Open();
  ASSERT_EQ(WaitFinished(id)["state"], "done");
  ASSERT_EQ(WaitFinished(json::parse(compared->body)["id"])["state"], "done");

  auto rerun = again(id, Png(strokes));  // the first job has finished: its photo is still kept
  ASSERT_EQ(rerun->status, 202) << rerun->body;
  const json accepted = json::parse(rerun->body);
  EXPECT_EQ(accepted["width"], 96);
  EXPECT_EQ(accepted["height"], 48);
  const std::string rerun_id = accepted["id"];
  ASSERT_EQ(WaitFinished(rerun_id)["state"], "done");
  auto png = client_->Get(("/api/jobs/" + rerun_id + "/result.png").c_str());
  ASSERT_EQ(png->status, 200);
  cv::Mat result =
      cv::imdecode(std::vector<uint8_t>(png->body.begin(), png->body.end()), cv::IMREAD_COLOR);
  cv::Mat lab, lightness;
  cv::cvtColor(result, lab, cv::COLOR_BGR2Lab);
  EXPECT_LT(lab.at<cv::Vec3b>(24, 8)[1], 128 - 10);   // under the stroke: green
  EXPECT_GT(lab.at<cv::Vec3b>(24, 90)[1], 128 + 10);  // far away: the toy's red
  cv::extractChannel(lab, lightness, 0);              // the photo named, not another
  cv::Mat expected;
  cv::cvtColor(grey, expected, cv::COLOR_GRAY2BGR);
  cv::cvtColor(expected, expected, cv::COLOR_BGR2Lab);
  cv::extractChannel(expected, expected, 0);
  EXPECT_LE(cv::norm(lightness, expected, cv::NORM_INF), 2);

  ExpectError(again("not-a-job"), 400, "from must be a job id");
  ExpectError(again(std::string(32, 'a')), 404, "upload the photo again");
  httplib::MultipartFormDataItems both = {{"image", Png(grey), "photo.png", "image/png"},
                                          {"from", id, "", ""}};
  ExpectError(client_->Post("/api/jobs", both), 400, "one of the two");
  httplib::MultipartFormDataItems neither = {{"method", "toy", "", ""}};
  ExpectError(client_->Post("/api/jobs", neither), 400, "one of the two");
}

// A reference photo is for the methods that take one: the toys do not.
TEST_F(ApiTest, AReferencePhotoIsRefusedForAMethodThatTakesNone) {
  Start();
  httplib::MultipartFormDataItems items = {
      {"image", Png(Gradient(32, 32)), "photo.png", "image/png"},
      {"method", "toy", "", ""},
      {"reference", Png(cv::Mat(16, 16, CV_8UC3, cv::Scalar(0, 0, 200))), "ref.png", "image/png"}};
  auto r = client_->Post("/api/jobs", items);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("method 'toy' takes no reference photo (those that do: none served)"),
            std::string::npos)
      << r->body;
}

TEST_F(ApiTest, ProgressShowsTheRunningStageAndAResultNotReadyIs409) {
  Start();
  auto r = Submit(Png(Gradient(32, 32)), "gated");
  ASSERT_EQ(r->status, 202);
  const std::string id = json::parse(r->body)["id"];
  while (gate_->waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const json running = Job(id);
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["stage"], "matching");
  EXPECT_DOUBLE_EQ(running["progress"].get<double>(), 0.5);
  ExpectError(client_->Get(("/api/jobs/" + id + "/result.png").c_str()), 409, "not done");
  gate_->Open();
  EXPECT_EQ(WaitFinished(id)["state"], "done");
}

// Long-poll: ?wait=S answers when the job moves past ?after (by
// default its progress at the request), changes state or finishes, else
// after S seconds; bad values are 400s.
TEST_F(ApiTest, ALongPollAnswersAtTheNextStep) {
  Start();
  auto r = Submit(Png(Gradient(32, 32)), "gated");
  ASSERT_EQ(r->status, 202);
  const std::string id = json::parse(r->body)["id"];
  const std::string path = "/api/jobs/" + id;
  while (gate_->waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto seconds = [](auto start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto start = std::chrono::steady_clock::now();
  auto same = client_->Get((path + "?wait=0.4").c_str());
  ASSERT_TRUE(same);
  EXPECT_EQ(json::parse(same->body)["state"], "running");
  EXPECT_GE(seconds(start), 0.35);  // nothing moved: it waited
  start = std::chrono::steady_clock::now();
  auto behind = client_->Get((path + "?wait=20&after=0.2").c_str());
  ASSERT_TRUE(behind);
  EXPECT_DOUBLE_EQ(json::parse(behind->body)["progress"].get<double>(), 0.5);
  EXPECT_LT(seconds(start), 5.0);  // the client was behind: at once
  std::thread opener([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    gate_->Open();
  });
  start = std::chrono::steady_clock::now();
  auto next = client_->Get((path + "?wait=20").c_str());
  opener.join();
  ASSERT_TRUE(next);
  // The next step: joining, encoding or done, whichever the job had
  // reached when the answer was made (on a loaded machine, not always done).
  EXPECT_GT(json::parse(next->body)["progress"].get<double>(), 0.5) << next->body;
  EXPECT_GE(seconds(start), 0.25);
  EXPECT_LT(seconds(start), 10.0);
  EXPECT_EQ(WaitFinished(id)["state"], "done");
  ExpectError(client_->Get((path + "?wait=31").c_str()), 400, "wait must be");
  ExpectError(client_->Get((path + "?wait=soon").c_str()), 400, "wait must be");
  ExpectError(client_->Get((path + "?wait=1&after=2").c_str()), 400,
              "after must be a progress, -1..1");
}

TEST_F(ApiTest, BadRequestsGetTheirStatusAndOneLine) {
  HttpOptions http;
  http.max_upload_mb = 0.05;  // 52 KB
  Start({}, http, /*max_pixels=*/10'000);
  // No image field; not multipart.
  ExpectError(
      client_->Post("/api/jobs", httplib::MultipartFormDataItems{{"method", "toy", "", ""}}), 400,
      "field 'image'");
  ExpectError(client_->Post("/api/jobs", "{}", "application/json"), 400, "multipart");
  ExpectError(Submit(Png(Gradient(16, 16)), "no-such-method"), 400, "unknown method");
  // Not an image; empty; a PNG cut short (its header is fine, decoding fails).
  ExpectError(Submit("hello, I am text"), 415, "not an image");
  ExpectError(Submit(""), 415, "empty");
  const std::string png = Png(Gradient(64, 64));
  ExpectError(Submit(png.substr(0, png.size() / 2)), 415, "upload");
  // Too many pixels by the header (200x100 > 10,000); too many bytes.
  ExpectError(Submit(Png(Gradient(200, 100))), 413, "over the limit of 10000 pixels");
  ExpectError(Submit(std::string(80 * 1024, 'x')), 413, "upload over the limit");
  // Unknown, malformed, traversal.
  ExpectError(client_->Get("/api/jobs/0123456789abcdef0123456789abcdef"), 404, "no such job");
  ExpectError(client_->Get("/api/jobs/0123456789abcdef0123456789abcdef/result.png"), 404,
              "no such job");
  ExpectError(client_->Get("/api/jobs/0123456789abcdef0123456789abcdef/grey.png"), 404,
              "no such job");
  EXPECT_EQ(client_->Get("/api/jobs/XYZ")->status, 404);
  EXPECT_EQ(client_->Get("/api/jobs/..%2F..%2Fetc%2Fpasswd/result.png")->status, 404);
  // A method that fails: the job says why; its result is 409.
  auto r = Submit(Png(Gradient(16, 16)), "broken");
  ASSERT_EQ(r->status, 202);
  const std::string id = json::parse(r->body)["id"];
  const json failed = WaitFinished(id);
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_EQ(failed["error"], "toy failure");
  ExpectError(client_->Get(("/api/jobs/" + id + "/result.png").c_str()), 409, "toy failure");
  // A method that throws fails its job in one line; the service goes on.
  r = Submit(Png(Gradient(16, 16)), "throws");
  ASSERT_EQ(r->status, 202);
  const json thrown = WaitFinished(json::parse(r->body)["id"]);
  EXPECT_EQ(thrown["state"], "failed");
  EXPECT_NE(thrown["error"].get<std::string>().find("internal error"), std::string::npos);
  EXPECT_EQ(thrown["error"].get<std::string>().find('\n'), std::string::npos);
  EXPECT_EQ(Submit(Png(Gradient(16, 16)))->status, 202);
  // A method name that is not UTF-8 is a 400 (it was a 500); an unknown
  // field is named.
  ExpectError(Submit(Png(Gradient(16, 16)), "to\xff\xfey"), 400, "unknown method");
  ExpectError(
      client_->Post("/api/jobs", httplib::MultipartFormDataItems{{"image", Png(Gradient(16, 16)),
                                                                  "photo.png", "image/png"},
                                                                 {"methd", "toy", "", ""}}),
      400, "unknown form field 'methd'");
  // A float64 TIFF is coloured (made float32); one holding NaN is a 415
  // that says so (it was coloured black without a word).
  cv::Mat doubles(16, 16, CV_64FC1, cv::Scalar(0.4));
  std::vector<uint8_t> tiff;
  ASSERT_TRUE(cv::imencode(".tiff", doubles, tiff));
  r = Submit(std::string(tiff.begin(), tiff.end()));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(WaitFinished(json::parse(r->body)["id"])["state"], "done");
  doubles.at<double>(2, 2) = std::nan("");
  ASSERT_TRUE(cv::imencode(".tiff", doubles, tiff));
  ExpectError(Submit(std::string(tiff.begin(), tiff.end())), 415, "1 pixel value(s) are NaN");
  // No 5xx among them.
  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_EQ(metrics.find("code=\"5"), std::string::npos) << metrics;
}

// A connected loopback socket (-1 when the connection is refused).
int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string ReadAll(int fd, int seconds) {
  timeval timeout{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  char buffer[4096];
  for (ssize_t n; answer.size() < 65536 && (n = read(fd, buffer, sizeof buffer)) > 0;)
    answer.append(buffer, static_cast<size_t>(n));
  return answer;
}

// Sends raw bytes and returns what the server answers, at most 64 KB or
// until it closes (10 s at most).
std::string RawExchange(int port, const std::string& request) {
  const int fd = Connect(port);
  if (fd < 0) return "";
  (void)!write(fd, request.data(), request.size());
  std::string answer = ReadAll(fd, 10);
  close(fd);
  return answer;
}

// What httplib would read whole, inflate or multiply is refused from the
// headers: a Content-Length over the limit (no body sent: the
// answer must not wait for it), a chunked or compressed body, many ranges.
TEST_F(ApiTest, BodiesAndRangesAreBoundedFromTheHeaders) {
  HttpOptions http;
  http.max_upload_mb = 0.05;
  Start({}, http);
  const std::string head = "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  std::string answer = RawExchange(port_, head +
                                              "Content-Type: multipart/form-data; boundary=x\r\n"
                                              "Content-Length: 300000000\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("upload over the limit of 0.05 MB"), std::string::npos) << answer;
  answer = RawExchange(port_, head + "Transfer-Encoding: chunked\r\n\r\n1000000\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 411", 0), 0u) << answer;
  answer = RawExchange(port_, head + "Content-Encoding: gzip\r\nContent-Length: 10\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 415", 0), 0u) << answer;
  answer = RawExchange(port_, head + "Content-Length: -5\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
  // One range is served; thousands are one 416.
  std::string ranges = "bytes=0-";
  for (int i = 0; i < 2000; ++i) ranges += ",0-";  // the whole page 2001 times
  answer = RawExchange(port_, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nRange: " +
                                  ranges + "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 416", 0), 0u) << answer.substr(0, 200);
  EXPECT_LT(answer.size(), 4096u) << answer.substr(0, 600);
  auto one = client_->Get("/", {{"Range", "bytes=0-9"}});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 206);
  EXPECT_EQ(one->body.size(), 10u);
  // The service still answers.
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

// Slow clients: 40 connections that send their head a line at a
// time, and 40 slow bodies, never take the two HTTP threads: the page and
// /healthz answer at once, and each slow request gets a 408 at its
// whole-head or whole-body deadline, not at a read timeout that every byte
// restarts.
TEST_F(ApiTest, SlowClientsHoldNoThreadAndMeetTheirDeadlines) {
  HttpOptions http;
  http.threads = 2;
  http.front.header_timeout = 2;
  http.front.body_timeout = 2;
  http.front.max_connections_per_address = 128;  // all from 127.0.0.1
  Start({}, http);
  std::vector<int> slow;
  for (int i = 0; i < 80; ++i) {
    const int fd = Connect(port_);
    ASSERT_GE(fd, 0);
    const std::string first = i < 40 ? "GET / HTTP/1.1\r\n"
                                     : "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       "Content-Length: 1000\r\n\r\nabc";
    ASSERT_EQ(write(fd, first.data(), first.size()), static_cast<ssize_t>(first.size()));
    slow.push_back(fd);
  }
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < slow.size(); ++i) {
      const std::string more = i < 40 ? "X-Slow: 1\r\n" : "d";  // a line, a byte
      (void)!send(slow[i], more.data(), more.size(), MSG_NOSIGNAL);
    }
    auto page = client_->Get("/healthz");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  for (size_t i = 0; i < slow.size(); ++i) {
    const std::string answer = ReadAll(slow[i], 10);
    EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
    EXPECT_NE(answer.find(i < 40 ? "request head did not arrive within 2 s"
                                 : "request body did not arrive within 2 s"),
              std::string::npos)
        << answer;
    close(slow[i]);
  }
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(waited, 6.0);  // cut at the deadline, though every client kept sending
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("tint_http_refused_total{reason=\"header_timeout\"} 40"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("tint_http_refused_total{reason=\"body_timeout\"} 40"),
            std::string::npos);
}

// Stop (a drain's last step) lets the answers under way finish: a long poll
// asked before it gets its whole answer, an idle connection is closed, and
// Serve returns. (It used to close every connection at once, so a client
// fetching the last result of a drain could lose it.)
TEST_F(ApiTest, StopFinishesTheAnswersUnderWay) {
  Start();
  auto r = Submit(Png(Gradient(32, 32)), "gated");
  ASSERT_EQ(r->status, 202);
  const std::string id = json::parse(r->body)["id"];
  while (gate_->waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const int idle = Connect(port_);
  ASSERT_GE(idle, 0);
  httplib::Client poller("127.0.0.1", port_);
  poller.set_read_timeout(30);
  int status = 0;  // no answer
  std::string body;
  std::thread poll([&] {
    if (auto polled = poller.Get(("/api/jobs/" + id + "?wait=20").c_str())) {
      status = polled->status;
      body = polled->body;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the poll waits upstream
  const auto start = std::chrono::steady_clock::now();
  http_->Stop();
  poll.join();
  ASSERT_EQ(status, 200) << body;
  EXPECT_EQ(json::parse(body)["state"], "running");
  EXPECT_EQ(ReadAll(idle, 5), "");  // closed, nothing said
  close(idle);
  serving_.join();
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 6.0);
}

// Keep-alive through the front door: pipelined requests on one connection
// each get their whole answer, framed by its Content-Length (a compressed
// page too); the last asks to close, and the connection closes.
TEST_F(ApiTest, AConnectionIsKeptAcrossRequests) {
  Start();
  const std::string host = "Host: 127.0.0.1\r\n";
  const std::string answer = RawExchange(
      port_, "GET /healthz HTTP/1.1\r\n" + host + "\r\nGET /app.js HTTP/1.1\r\n" + host +
                 "Accept-Encoding: gzip, br\r\n\r\nGET /api/methods HTTP/1.1\r\n" + host +
                 "Connection: close\r\n\r\n");
  std::vector<std::string> statuses, connections;
  for (size_t at = 0; at < answer.size();) {
    const size_t end = answer.find("\r\n\r\n", at);
    ASSERT_NE(end, std::string::npos) << answer.substr(at, 200);
    const std::string head = answer.substr(at, end - at);
    statuses.push_back(head.substr(0, 12));
    const size_t c = head.find("Connection: ");
    connections.push_back(
        c == std::string::npos ? "" : head.substr(c + 12, head.find("\r\n", c) - c - 12));
    const size_t l = head.find("Content-Length: ");
    ASSERT_NE(l, std::string::npos) << head;
    at = end + 4 + std::stoul(head.substr(l + 16));
    ASSERT_LE(at, answer.size());
  }
  EXPECT_EQ(statuses, std::vector<std::string>(3, "HTTP/1.1 200"));
  EXPECT_EQ(connections, (std::vector<std::string>{"keep-alive", "keep-alive", "close"}));
}

// Heads are bounded in lines and bytes, and connections per address and in
// all: past a cap the answer is a 503 with Retry-After, and the service
// answers again once they close.
TEST_F(ApiTest, HeadsAndConnectionsAreCapped) {
  HttpOptions http;
  http.front.max_connections_per_address = 8;
  Start({}, http);
  std::string many = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  std::string answer = RawExchange(port_, many + "\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  EXPECT_NE(answer.find("over 100 header lines"), std::string::npos) << answer;
  answer = RawExchange(port_, "GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 431", 0), 0u) << answer;
  answer = RawExchange(port_,
                       "POST /api/jobs HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;

  std::vector<int> held;
  for (int i = 0; i < 8; ++i) held.push_back(Connect(port_));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all accepted
  const int one_more = Connect(port_);
  ASSERT_GE(one_more, 0);
  answer = ReadAll(one_more, 5);
  close(one_more);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("Retry-After: 2"), std::string::npos) << answer;
  EXPECT_NE(answer.find("too many connections from 127.0.0.1 (at most 8)"), std::string::npos);
  for (int fd : held) close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the front sees them close
  auto page = client_->Get("/healthz");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
}

// DNS rebinding and cross-site POSTs: a loopback server answers
// only to its own names, and a POST from another origin is refused.
TEST_F(ApiTest, HostAndOriginAreChecked) {
  Start();
  const std::string get = "GET /healthz HTTP/1.1\r\nConnection: close\r\nHost: ";
  EXPECT_EQ(RawExchange(port_, get + "evil.example:8080\r\n\r\n").rfind("HTTP/1.1 421", 0), 0u);
  EXPECT_EQ(RawExchange(port_, get + "localhost:" + std::to_string(port_) + "\r\n\r\n")
                .rfind("HTTP/1.1 200", 0),
            0u);
  EXPECT_EQ(RawExchange(port_, get + "[::1]\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(RawExchange(port_, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
                .rfind("HTTP/1.1 421", 0),
            0u);
  httplib::MultipartFormDataItems items = {
      {"image", Png(Gradient(16, 16)), "photo.png", "image/png"}, {"method", "toy", "", ""}};
  auto cross = client_->Post("/api/jobs", {{"Origin", "http://evil.example"}}, items);
  ExpectError(cross, 403, "cross-origin");
  auto same =
      client_->Post("/api/jobs", {{"Origin", "http://127.0.0.1:" + std::to_string(port_)}}, items);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 202) << same->body;
  // --allow-host names the hosts instead.
  HttpOptions http;
  http.host = "0.0.0.0";
  http.allowed_hosts = {"tint.lab.example"};
  EXPECT_TRUE(http.HostAllowed("tint.lab.example:8080"));
  EXPECT_TRUE(http.HostAllowed("TINT.lab.example"));
  EXPECT_FALSE(http.HostAllowed("127.0.0.1:8080"));
  http.allowed_hosts.clear();
  EXPECT_TRUE(http.HostAllowed("anything.example"));
}

// --token-file: submitting a job and /metrics need the bearer token; the
// page, job status and results (reached by an unguessable id) do not.
TEST_F(ApiTest, AnAccessTokenGuardsSubmissions) {
  HttpOptions http;
  http.token = "0123456789abcdef-token";
  Start({}, http);
  httplib::MultipartFormDataItems items = {
      {"image", Png(Gradient(16, 16)), "photo.png", "image/png"}, {"method", "toy", "", ""}};
  auto none = client_->Post("/api/jobs", items);
  ExpectError(none, 401, "access token");
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  ExpectError(
      client_->Post("/api/jobs", {{"Authorization", "Bearer 0123456789abcdef-tokem"}}, items), 401,
      "access token");
  EXPECT_EQ(client_->Get("/metrics")->status, 401);
  auto ok = client_->Post("/api/jobs", {{"Authorization", "Bearer " + http.token}}, items);
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 202) << ok->body;
  EXPECT_EQ(WaitFinished(json::parse(ok->body)["id"])["state"], "done");
  EXPECT_EQ(client_->Get("/")->status, 200);
  EXPECT_EQ(client_->Get("/api/methods")->status, 200);
  EXPECT_EQ(client_->Get("/metrics", {{"Authorization", "Bearer " + http.token}})->status, 200);
}

// A second server on a busy port is an error, not a silent split of the
// connections (httplib's default SO_REUSEPORT).
TEST_F(ApiTest, ABusyPortIsAnError) {
  Start();
  HttpOptions http;
  http.port = port_;
  HttpService second(queue_.get(), {{"toy", "a = 20"}}, {}, http);
  int port = 0;
  const Status s = second.Bind(&port);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("in use"), std::string::npos) << s.message();
}

TEST_F(ApiTest, AFullQueueAnswers429WithRetryAfter) {
  LocalQueueOptions q;
  q.workers = 1;
  q.capacity = 2;
  Start(q);
  const std::string png = Png(Gradient(16, 16));
  auto first = Submit(png, "gated");  // runs, held at the gate
  ASSERT_EQ(first->status, 202);
  while (gate_->waiting == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(Submit(png, "gated")->status, 202);  // waits
  EXPECT_EQ(Submit(png, "gated")->status, 202);  // waits: the queue is full now
  auto refused = Submit(png, "gated");
  ExpectError(refused, 429, "queue is full");
  EXPECT_EQ(refused->get_header_value("Retry-After"), "2");
  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("tint_queue_length 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("tint_jobs_rejected_total 1"), std::string::npos);
  gate_->Open();
  EXPECT_EQ(WaitFinished(json::parse(first->body)["id"])["state"], "done");
  EXPECT_EQ(Submit(png, "gated")->status, 202);  // room again
}

// The queue's memory is its decoded pixels: over --queue-mb a
// job is refused like a full queue, whatever the count; a finished job gives
// its bytes back.
TEST_F(ApiTest, QueuedPixelsHaveAByteBudget) {
  LocalQueueOptions q;
  q.workers = 1;
  q.capacity = 100;
  const std::string png = Png(Gradient(16, 16));  // 256 bytes decoded, plus the upload kept
  q.max_queue_mb = (2 * (256 + png.size()) + 50) / (1024.0 * 1024);  // two such jobs
  Start(q);
  auto first = Submit(png, "gated");
  ASSERT_EQ(first->status, 202);
  EXPECT_EQ(Submit(png, "gated")->status, 202);
  ExpectError(Submit(png, "gated"), 429, "queue is full");
  gate_->Open();
  EXPECT_EQ(WaitFinished(json::parse(first->body)["id"])["state"], "done");
  for (int i = 0; i < 100; ++i) {  // the second finishes too
    if (client_->Get("/metrics")->body.find("tint_queue_length 0") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Submit(png, "gated")->status, 202);  // room again
}

// A job past --job-timeout stops at the method's next check and fails
// saying so; the worker is free again (one upload held a worker
// for an hour).
TEST_F(ApiTest, AJobPastItsTimeLimitStopsAndFails) {
  job_timeout_ = 0.3;
  LocalQueueOptions q;
  q.workers = 1;
  Start(q);
  const auto start = std::chrono::steady_clock::now();
  auto r = Submit(Png(Gradient(16, 16)), "endless");
  ASSERT_EQ(r->status, 202);
  const json done = WaitFinished(json::parse(r->body)["id"]);
  EXPECT_EQ(done["state"], "failed");
  EXPECT_NE(done["error"].get<std::string>().find("time limit"), std::string::npos) << done;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 20);
  r = Submit(Png(Gradient(16, 16)), "toy");
  ASSERT_EQ(r->status, 202);
  EXPECT_EQ(WaitFinished(json::parse(r->body)["id"])["state"], "done");
}

TEST_F(ApiTest, FinishedJobsExpireAfterTheTtl) {
  LocalQueueOptions q;
  q.result_ttl = 0.3;
  Start(q);
  auto r = Submit(Png(Gradient(16, 16)));
  const std::string id = json::parse(r->body)["id"];
  ASSERT_EQ(WaitFinished(id)["state"], "done");
  EXPECT_EQ(client_->Get(("/api/jobs/" + id + "/result.png").c_str())->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ExpectError(client_->Get(("/api/jobs/" + id).c_str()), 404, "expired");
  httplib::MultipartFormDataItems rerun = {{"from", id, "", ""}};  // its photo is gone too
  ExpectError(client_->Post("/api/jobs", rerun), 404, "upload the photo again");
  ExpectError(client_->Get(("/api/jobs/" + id + "/result.png").c_str()), 404, "expired");
  EXPECT_NE(client_->Get("/metrics")->body.find("tint_jobs_expired_total 1"), std::string::npos);
}

TEST_F(ApiTest, OverTheResultBudgetTheOldestResultsAreForgottenFirst) {
  LocalQueueOptions q;
  q.max_result_mb = 0.001;  // about 1 KB: less than two results
  Start(q);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = Submit(Png(Gradient(64, 48)));
    ids.push_back(json::parse(r->body)["id"]);
    ASSERT_EQ(WaitFinished(ids.back())["state"], "done");
  }
  ExpectError(client_->Get(("/api/jobs/" + ids[0]).c_str()), 404, "expired");
  ExpectError(client_->Get(("/api/jobs/" + ids[1] + "/result.png").c_str()), 404, "expired");
  EXPECT_EQ(client_->Get(("/api/jobs/" + ids[2] + "/result.png").c_str())->status, 200);
  EXPECT_NE(client_->Get("/metrics")->body.find("tint_jobs_expired_total 2"), std::string::npos);
}

TEST_F(ApiTest, ConcurrentUploadsEachGetTheirOwnResult) {
  LocalQueueOptions q;
  q.workers = 2;
  q.capacity = 100;
  Start(q);
  constexpr int kClients = 6, kJobsEach = 4;
  std::mutex mu;
  std::map<std::string, cv::Size> sizes;  // id -> the size sent
  std::vector<std::thread> clients;
  std::atomic<int> refused{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port_);
      for (int j = 0; j < kJobsEach; ++j) {
        const cv::Size size(20 + c, 10 + j);  // a size per upload tells results apart
        auto r = Submit(Png(Gradient(size.width, size.height)), "toy", &client);
        if (!r || r->status != 202) {
          ++refused;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        sizes[json::parse(r->body)["id"]] = size;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(refused, 0);
  ASSERT_EQ(sizes.size(), static_cast<size_t>(kClients * kJobsEach));  // ids unique
  for (const auto& [id, size] : sizes) {
    ASSERT_EQ(WaitFinished(id)["state"], "done");
    auto png = client_->Get(("/api/jobs/" + id + "/result.png").c_str());
    const cv::Mat colour =
        cv::imdecode(std::vector<uint8_t>(png->body.begin(), png->body.end()), cv::IMREAD_COLOR);
    EXPECT_EQ(colour.size(), size) << id;
  }
  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("tint_job_latency_seconds_count 24"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace tint
