// Writes a run's results: report.md (tables, ratios to the raw broker, the
// issue's targets), latency-chat.tsv and latency-raw.tsv (for plot.gp), and
// wire.tsv when the wire scenario ran.
#pragma once

#include <string>

#include "scenarios.h"

namespace bench {

// Writes into `dir` (which must exist); throws std::runtime_error on I/O errors.
void WriteReport(const BenchResults& results, const BenchParams& params, const std::string& dir);

}  // namespace bench
