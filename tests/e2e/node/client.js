// RegisterService from node-soap, for tests/e2e/test_node_soap.py.
//
// node client.js WSDL_URL USERNAME PASSWORD SSIN MODE
//   MODE "text":   a bare UsernameToken (PasswordText, no Timestamp, no Nonce)
//   MODE "full":   Timestamp, Nonce, Created and mustUnderstand="1" (the contract accepts them)
//   MODE "digest": PasswordDigest (the contract refuses it)
// Prints one JSON object: each call's result, or its fault.
"use strict";

const { call, run } = require("./soap_script");

const [wsdlUrl, username, password, ssin, mode] = process.argv.slice(2);

const SECURITY = {
  text: { passwordType: "PasswordText", hasTimeStamp: false, hasNonce: false },
  full: { passwordType: "PasswordText", hasTimeStamp: true, hasNonce: true, hasTokenCreated: true, mustUnderstand: true },
  digest: { passwordType: "PasswordDigest", hasTimeStamp: false, hasNonce: true },
};

run(wsdlUrl, username, password, SECURITY[mode], async (client, out) => {
  if (mode === "digest") {
    out.listDossierTypes = await call(client, "listDossierTypes", {});
  } else {
    out.registerJanuary = await call(client, "registerPerson", {
      ssin,
      dossierType: "A",
      period: { startDate: "2024-01-01", endDate: "2024-01-31" },
    });
    out.registerFebruary = await call(client, "registerPerson", {
      ssin,
      dossierType: "A",
      period: { startDate: "2024-02-01", endDate: "2024-02-29" },
      identity: { lastName: "Peeters", birthDate: "1985-07-30", gender: "M" },
    });
    out.listRegistrations = await call(client, "listRegistrations", { ssin, pageSize: 10 });
    out.unregisterPerson = await call(client, "unregisterPerson", {
      ssin,
      dossierType: "A",
      period: { startDate: "2024-01-10", endDate: "2024-01-20" },
    });
    out.listDossierTypes = await call(client, "listDossierTypes", {});
    const invalid = ssin.slice(0, 9) + String((Number(ssin.slice(9)) % 97) + 1).padStart(2, "0");
    out.invalidSsin = await call(client, "registerPerson", {
      ssin: invalid,
      dossierType: "A",
      period: { startDate: "2024-01-01" },
    });
    out.invalidSsinSent = invalid;
  }
});
