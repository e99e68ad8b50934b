// Latency one request at a time on one keep-alive connection (a cross-check of wrk's
// percentiles, and the stream's time to first event, which wrk cannot see).
// usage: node latency.js PORT PATH BODY_FILE COUNT [KEY]
// Prints one JSON line with p50/p90/p99 (microseconds) of the time from sending the request
// to the end of the answer, and for a stream (the body has "stream": true) to the first
// "data:" byte of its body.
"use strict";
const net = require("node:net");
const fs = require("node:fs");

const [port, path, bodyFile, countText, key] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const count = Number(countText);
const stream = JSON.parse(body).stream === true;
const warmup = Math.min(200, Math.ceil(count / 10));
const head =
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
  `Accept: ${stream ? "text/event-stream" : "application/json"}\r\nContent-Length: ${body.length}\r\n` +
  (key ? `Authorization: Bearer ${key}\r\n` : "") + "\r\n";
const request = Buffer.concat([Buffer.from(head), body]);

const socket = net.connect({ host: "127.0.0.1", port: Number(port), noDelay: true });
socket.setNoDelay(true);
let buffer = Buffer.alloc(0);
let sentAt = 0n;
let firstAt = 0n;
let done = 0;
const firsts = [];
const totals = [];

function send() {
  buffer = Buffer.alloc(0);
  firstAt = 0n;
  sentAt = process.hrtime.bigint();
  socket.write(request);
}

// Answer complete? Content-Length or chunked (ends with the last chunk).
function complete() {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const header = buffer.subarray(0, end).toString("latin1").toLowerCase();
  if (!header.startsWith("http/1.1 200")) {
    console.error("unexpected answer: " + buffer.toString().slice(0, 500));
    process.exit(1);
  }
  const length = /content-length:\s*(\d+)/.exec(header);
  if (length) return buffer.length >= end + 4 + Number(length[1]);
  return buffer.subarray(buffer.length - 5).toString("latin1") === "0\r\n\r\n";
}

socket.on("connect", send);
socket.on("data", (data) => {
  const now = process.hrtime.bigint();
  buffer = Buffer.concat([buffer, data]);
  if (stream && !firstAt && buffer.indexOf("data:") >= 0) firstAt = now;
  if (!complete()) return;
  if (done >= warmup) {
    firsts.push(Number(firstAt - sentAt) / 1000);
    totals.push(Number(now - sentAt) / 1000);
  }
  done += 1;
  if (done < count + warmup) return send();
  socket.end();
  const pick = (values, p) => {
    const sorted = [...values].sort((a, b) => a - b);
    return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
  };
  const result = {
    requests: totals.length,
    total_p50_us: pick(totals, 50), total_p90_us: pick(totals, 90), total_p99_us: pick(totals, 99),
    total_mean_us: Math.round(totals.reduce((a, b) => a + b, 0) / totals.length),
  };
  if (stream) {
    Object.assign(result, {
      ttfb_p50_us: pick(firsts, 50), ttfb_p90_us: pick(firsts, 90), ttfb_p99_us: pick(firsts, 99),
    });
  }
  console.log(JSON.stringify(result));
});
socket.on("error", (error) => {
  console.error("latency: " + error.message);
  process.exit(1);
});
