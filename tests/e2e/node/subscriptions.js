// SubscriptionService from node-soap, for tests/e2e/test_node_soap.py.
//
// node subscriptions.js WSDL_URL USERNAME PASSWORD FILE_NAME
// Prints one JSON object: each call's result, or its fault, and node-soap's warnings.
"use strict";

const { TEXT_TOKEN, call, run } = require("./soap_script");

const [wsdlUrl, username, password, fileName] = process.argv.slice(2);

run(wsdlUrl, username, password, TEXT_TOKEN, async (client, out) => {
  out.subscribe = await call(client, "subscribe", { flow: "IDENTITY_CHANGED" });
  out.listSubscriptions = await call(client, "listSubscriptions", {});
  out.unsubscribe = await call(client, "unsubscribe", { flow: "IDENTITY_CHANGED" });
  out.listDeliveries = await call(client, "listDeliveries", { fromDate: "2024-03-01", toDate: "2024-03-31" });
  out.getDelivery = await call(client, "getDelivery", { fileName });
  out.unknownDelivery = await call(client, "getDelivery", { fileName: "../" + fileName });
});
