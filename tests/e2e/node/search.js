// PersonService's searchPersonByPhoneticCriteria from node-soap, for tests/e2e/test_person_search.py.
//
// node search.js WSDL_URL USERNAME PASSWORD
// Prints one JSON object: a search's result, an impossible date's fault, and node-soap's warnings.
"use strict";

const soap = require("soap");

const [wsdlUrl, username, password] = process.argv.slice(2);

function fault(error) {
  const body = error && error.root && error.root.Envelope && error.root.Envelope.Body;
  if (!body || !body.Fault) {
    return { error: String(error && error.message ? error.message : error) };
  }
  const { faultcode, detail } = body.Fault;
  return { fault: { faultcode, detail: detail || null } };
}

async function call(client, args) {
  try {
    const [result] = await client.searchPersonByPhoneticCriteriaAsync(args);
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
  out.search = await call(client, { lastName: "VANDENBROEK", firstName: "Jean Pierre", birthDate: "1985-07-00", maxResults: 5 });
  out.invalidDate = await call(client, { lastName: "Peeters", birthDate: "2021-02-30" });
  console.warn = originalWarn;
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
