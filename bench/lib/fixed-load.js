// Sends exactly COUNT chat requests, CONCURRENCY at a time over keep-alive connections, and
// checks that each is answered 200 with a complete body. For profiling, where the amount
// of work must be the same from run to run.
// usage: node fixed-load.js PORT KEY BODY_FILE COUNT CONCURRENCY   (KEY may be "")
"use strict";
const http = require("node:http");
const fs = require("node:fs");

const [port, key, bodyFile, countText, concurrencyText] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const stream = JSON.parse(body).stream === true;
const count = Number(countText);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrencyText) });
let sent = 0;
let finished = 0;
let failed = 0;
const started = Date.now();

function one() {
  if (sent >= count) return;
  sent += 1;
  const request = http.request({
    host: "127.0.0.1", port: Number(port), path: "/v1/chat/completions", method: "POST", agent,
    headers: { "content-type": "application/json", "content-length": body.length,
               accept: stream ? "text/event-stream" : "application/json",
               ...(key ? { authorization: `Bearer ${key}` } : {}) },
  }, (response) => {
    let text = "";
    response.setEncoding("utf8");
    response.on("data", (d) => (text += d));
    response.on("end", () => {
      const ok = response.statusCode === 200 && (stream ? text.endsWith("data: [DONE]\n\n") : text.includes('"usage"'));
      if (!ok) {
        failed += 1;
        if (failed <= 3) console.error(`answer ${response.statusCode}: ${text.slice(0, 300)}`);
      }
      done();
    });
  });
  request.on("error", (error) => {
    failed += 1;
    console.error(error.message);
    done();
  });
  request.end(body);
}
function done() {
  finished += 1;
  if (finished === count) {
    console.log(JSON.stringify({ requests: count, failed, seconds: (Date.now() - started) / 1000 }));
    agent.destroy();
    return;
  }
  one();
}
for (let i = 0; i < Number(concurrencyText); i++) one();
