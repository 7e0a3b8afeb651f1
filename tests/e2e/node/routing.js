// RoutingService from node-soap, for tests/e2e/test_node_soap.py.
//
// node routing.js WSDL_URL USERNAME PASSWORD SSIN BCE
// Prints one JSON object: each call's result, or its fault, and node-soap's warnings.
"use strict";

const { TEXT_TOKEN, call, run } = require("./soap_script");

const [wsdlUrl, username, password, ssin, bce] = process.argv.slice(2);

run(wsdlUrl, username, password, TEXT_TOKEN, async (client, out) => {
  out.findHolders = await call(client, "findHolders", { ssin, date: "2024-03-15" });
  out.checkAuthorization = await call(client, "checkAuthorization", { bce, ssin, date: "2024-03-15", flow: "DIMONA" });
  out.unknownFlow = await call(client, "checkAuthorization", { bce, ssin, flow: "NOPE" });
});
