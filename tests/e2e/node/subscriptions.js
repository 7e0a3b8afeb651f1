// SubscriptionService from node-soap, for tests/e2e/test_node_soap.py.
//
// node subscriptions.js WSDL_URL USERNAME PASSWORD FILE_NAME
// Prints one JSON object: each call's result, or its fault, and node-soap's warnings.
"use strict";

const soap = require("soap");

const [wsdlUrl, username, password, fileName] = process.argv.slice(2);

function fault(error) {
  const body = error && error.root && error.root.Envelope && error.root.Envelope.Body;
  if (!body || !body.Fault) {
    return { error: String(error && error.message ? error.message : error) };
  }
  const { faultcode, detail } = body.Fault;
  return { fault: { faultcode, detail: detail || null } };
}

async function call(client, operation, args) {
  try {
    const [result] = await client[`${operation}Async`](args);
    return { result };
  } catch (error) {
    return fault(error);
  }
}

async function main() {
  const warnings = [];
  const originalWarn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  const client = await soap.createClientAsync(wsdlUrl, { disableCache: true });
  client.setSecurity(new soap.WSSecurity(username, password, { passwordType: "PasswordText", hasTimeStamp: false }));
  const out = { warnings };
  out.subscribe = await call(client, "subscribe", { flow: "IDENTITY_CHANGED" });
  out.listSubscriptions = await call(client, "listSubscriptions", {});
  out.unsubscribe = await call(client, "unsubscribe", { flow: "IDENTITY_CHANGED" });
  out.listDeliveries = await call(client, "listDeliveries", { fromDate: "2024-03-01", toDate: "2024-03-31" });
  out.getDelivery = await call(client, "getDelivery", { fileName });
  out.unknownDelivery = await call(client, "getDelivery", { fileName: "../" + fileName });
  console.warn = originalWarn;
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
