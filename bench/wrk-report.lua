-- SPDX-License-Identifier: MIT
-- wrk-report.lua: wrk's done() hook, printing one line that bench.sh parses:
--
--   RESULT rps=12345.6 p50_ms=0.80 p99_ms=3.10 errors=0 requests=123456
--
-- rps is completed requests over the measured duration; p50/p99 are wrk's
-- latency percentiles (it records microseconds). errors adds wrk's socket
-- errors (connect, read, write, timeout) and its status errors, which wrk
-- counts for every response with a status above 399. A 3xx would count as
-- a success here; no benchmarked route redirects, and catching it would take
-- a per-response Lua callback that slows wrk enough to lower nginx's
-- baseline, the figure every other one is divided by.
--
-- With KILN_BENCH_POST set, every request is a POST of that JSON body.

local post = os.getenv("KILN_BENCH_POST")
if post ~= nil and post ~= "" then
	wrk.method = "POST"
	wrk.body = post
	wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
	local e = summary.errors
	local errors = e.connect + e.read + e.write + e.timeout + e.status
	local seconds = summary.duration / 1e6
	local rps = 0
	if seconds > 0 then
		rps = summary.requests / seconds
	end
	io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d requests=%d\n",
		rps, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		errors, summary.requests))
end
