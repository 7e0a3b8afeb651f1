// RegisterService from node-soap, for tests/e2e/test_node_soap.py.
//
// node client.js WSDL_URL USERNAME PASSWORD SSIN MODE
//   MODE "text":   a bare UsernameToken (PasswordText, no Timestamp, no Nonce)
//   MODE "full":   Timestamp, Nonce, Created and mustUnderstand="1" (the contract accepts them)
//   MODE "digest": PasswordDigest (the contract refuses it)
// Prints one JSON object: each call's result, or its fault.
"use strict";

const soap = require("soap");

const [wsdlUrl, username, password, ssin, mode] = process.argv.slice(2);

const SECURITY = {
  text: { passwordType: "PasswordText", hasTimeStamp: false, hasNonce: false },
  full: { passwordType: "PasswordText", hasTimeStamp: true, hasNonce: true, hasTokenCreated: true, mustUnderstand: true },
  digest: { passwordType: "PasswordDigest", hasTimeStamp: false, hasNonce: true },
};

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

async function main() {
  const warnings = [];
  const originalWarn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  const client = await soap.createClientAsync(wsdlUrl, { disableCache: true });
  client.setSecurity(new soap.WSSecurity(username, password, SECURITY[mode]));
  const out = { warnings };
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
  console.warn = originalWarn;
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
