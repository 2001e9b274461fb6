/* The peer in the co-editing benchmark (tests/bench/coediting.py): ShareDB with its in-memory
 * store and the ot-text-unicode type, driven by ShareDB's own client with the same workload
 * as Rapporteur. Nothing of ShareDB is committed: the benchmark installs sharedb@7,
 * ot-text-unicode@4, ws and @teamwork/websocket-json-stream into a temporary folder and runs
 * this file with NODE_PATH pointing there.
 *
 *   node sharedb.cjs server PORT              the ShareDB server; prints "ready" once listening
 *   node sharedb.cjs editors JSON             the editors; prints one JSON line of raw figures
 *
 * JSON: {url, docs, editors, ops, rate} — `editors` per document, each inserting 5 characters
 * at a random position `ops` times with one operation in flight (rate 0), or at `rate`
 * operations a second offered over all editors of the run.
 */
'use strict';

const http = require('http');
const WebSocket = require('ws');
const ShareDB = require('sharedb');
const ShareDBClient = require('sharedb/lib/client');
const WebSocketJSONStream = require('@teamwork/websocket-json-stream');
const textUnicode = require('ot-text-unicode').type;

ShareDB.types.register(textUnicode);
ShareDBClient.types.register(textUnicode);

function serve(port) {
  const backend = new ShareDB();
  const server = http.createServer();
  const wss = new WebSocket.Server({ server });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    backend.listen(new WebSocketJSONStream(ws));
  });
  server.listen(port, '127.0.0.1', () => console.log('ready'));
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

/** The 5 characters an editor inserts: a number that names the operation, in base 36. */
const tag = (n) => n.toString(36).padStart(5, '0');

function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('error', reject);
    const connection = new ShareDBClient.Connection(socket);
    socket.on('open', () => resolve(connection));
  });
}

function subscribe(doc) {
  return new Promise((resolve, reject) => doc.subscribe((error) => (error ? reject(error) : resolve())));
}

async function editors({ url, docs, editors: perDoc, ops, rate }) {
  const submitted = new Map(); // tag -> [time submitted, editors still to receive it]
  const fanout = [];
  const acks = [];
  const all = [];
  for (let d = 0; d < docs; d++) {
    const id = `doc-${d}-${Date.now()}`;
    for (let e = 0; e < perDoc; e++) {
      const connection = await connect(url);
      const doc = connection.get('bench', id);
      await subscribe(doc);
      if (doc.type === null) await new Promise((res, rej) => doc.create('', 'text-unicode', (err) => (err ? rej(err) : res())));
      const editor = { doc, connection, index: all.length, docIndex: d };
      doc.on('op', (op, source) => {
        if (source) return; // our own
        const t = now();
        for (const component of op) {
          if (typeof component !== 'string') continue;
          const entry = submitted.get(component);
          if (!entry) continue;
          entry[1] -= 1;
          if (entry[1] === 0) {
            fanout.push(t - entry[0]);
            submitted.delete(component);
          }
        }
      });
      all.push(editor);
    }
  }
  const total = all.length * ops;
  let next = 0;
  const submitOne = (editor) => new Promise((resolve, reject) => {
    const text = tag(next++);
    const length = [...editor.doc.data].length;
    const position = Math.floor(Math.random() * (length + 1));
    const t = now();
    submitted.set(text, [t, perDoc - 1]);
    editor.doc.submitOp(position ? [position, text] : [text], (error) => {
      if (error) return reject(error);
      acks.push(now() - t);
      resolve();
    });
  });
  const started = now();
  // Each editor keeps one operation in flight. Paced (rate > 0): operation k of the run is due
  // k / rate seconds after the start, made by editor k mod n, once its previous one is acked.
  await Promise.all(all.map(async (editor, e) => {
    for (let i = 0; i < ops; i++) {
      if (rate) {
        const wait = started + ((i * all.length + e) * 1000) / rate - now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      }
      await submitOne(editor);
    }
  }));
  const elapsed = (now() - started) / 1000;
  // Every editor of a document holds the same text, and it is the server's.
  const deadline = now() + 10000;
  while (submitted.size && now() < deadline) await new Promise((res) => setTimeout(res, 10));
  let converged = true;
  for (let d = 0; d < docs; d++) {
    const texts = new Set(all.filter((e) => e.docIndex === d).map((e) => e.doc.data));
    const fresh = await connect(url);
    const check = fresh.get('bench', all.find((e) => e.docIndex === d).doc.id);
    await new Promise((res, rej) => check.fetch((err) => (err ? rej(err) : res())));
    texts.add(check.data);
    if (texts.size !== 1 || [...check.data].length !== 5 * perDoc * ops) converged = false;
    fresh.close();
  }
  for (const editor of all) editor.connection.close();
  const line = JSON.stringify({ ops: total, seconds: elapsed, acks, fanout, converged, missing_fanout: submitted.size });
  process.stdout.write(line + '\n', () => process.exit(0)); // a pipe is written asynchronously
}

const [mode, argument] = process.argv.slice(2);
if (mode === 'server') serve(Number(argument));
else if (mode === 'editors') editors(JSON.parse(argument)).catch((error) => { console.error(error); process.exit(1); });
else { console.error('usage: sharedb.cjs server PORT | editors JSON'); process.exit(2); }
