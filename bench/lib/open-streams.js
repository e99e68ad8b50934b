// Opens COUNT streaming chat requests at once (to a model whose upstream trickles its SSE
// body), waits until every one has received its first event, then samples the gateway's
// memory from /proc/PID/status while all of them are open, and closes them.
// usage: node open-streams.js PORT KEY MODEL COUNT GATEWAY_PID
"use strict";
const http = require("node:http");
const fs = require("node:fs");

const [port, key, model, countText, pid] = process.argv.slice(2);
const count = Number(countText);
const body = JSON.stringify({
  model, stream: true, max_tokens: 64,
  messages: [{ role: "user", content: "Say hello in a few words." }],
});
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const requests = [];
let withEvent = 0;
let failed = 0;
const started = Date.now();

function memory() {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)[1]);
  return { rss_kib: kib("VmRSS"), hwm_kib: kib("VmHWM") };
}

for (let i = 0; i < count; i++) {
  const request = http.request({
    host: "127.0.0.1", port: Number(port), path: "/v1/chat/completions", method: "POST", agent,
    headers: {
      "content-type": "application/json", authorization: `Bearer ${key}`,
      "content-length": Buffer.byteLength(body),
    },
  });
  let seen = false;
  request.on("response", (response) => {
    if (response.statusCode !== 200) failed += 1;
    response.on("data", (data) => {
      if (!seen && data.includes("data:")) {
        seen = true;
        withEvent += 1;
      }
    });
    response.on("error", () => {});
  });
  request.on("error", () => {});
  request.end(body);
  requests.push(request);
}

const timer = setInterval(() => {
  const waited = Date.now() - started;
  if (withEvent + failed < count && waited < 60000) return;
  clearInterval(timer);
  const samples = [];
  let taken = 0;
  const sample = setInterval(() => {
    samples.push(memory());
    if (++taken < 5) return;
    clearInterval(sample);
    const peak = samples.reduce((a, b) => (b.rss_kib > a.rss_kib ? b : a));
    const openNow = requests.filter((r) => !r.destroyed && r.socket && !r.socket.destroyed).length;
    console.log(JSON.stringify({
      requested: count, with_first_event: withEvent, failed, still_open: openNow,
      seconds_to_open: (waited / 1000).toFixed(1), ...peak,
    }));
    for (const r of requests) r.destroy();
    setTimeout(() => process.exit(0), 500);
  }, 1000);
}, 250);
