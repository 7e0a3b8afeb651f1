// What the node-soap scripts of tests/e2e/node share: a client of one WSDL with a UsernameToken,
// calls that answer their result or their fault, node-soap's warnings captured, one JSON object printed.
"use strict";

const soap = require("soap");

// a bare UsernameToken: PasswordText, no Timestamp
const TEXT_TOKEN = { passwordType: "PasswordText", hasTimeStamp: false };

function fault(error) {
  const body = error && error.root && error.root.Envelope && error.root.Envelope.Body;
  if (!body || !body.Fault) {
    return { error: String(error && error.message ? error.message : error) };
  }
  const { faultcode, faultstring, detail } = body.Fault;
  return { fault: { faultcode, faultstring, detail: detail || null } };
}

async function call(client, operation, args) {
  try {
    const [result] = await client[`${operation}Async`](args);
    return { result };
  } catch (error) {
    return fault(error);
  }
}

// calls(client, out) fills `out` (which starts as { warnings }); then `out` is printed; a crash exits 1.
function run(wsdlUrl, username, password, security, calls) {
  async function main() {
    const warnings = [];
    const originalWarn = console.warn;
    console.warn = (...args) => warnings.push(args.join(" "));
    const client = await soap.createClientAsync(wsdlUrl, { disableCache: true });
    client.setSecurity(new soap.WSSecurity(username, password, security));
    const out = { warnings };
    await calls(client, out);
    console.warn = originalWarn;
    process.stdout.write(JSON.stringify(out));
  }
  main().catch((error) => {
    process.stderr.write(String(error && error.stack ? error.stack : error));
    process.exit(1);
  });
}

module.exports = { TEXT_TOKEN, call, run };
