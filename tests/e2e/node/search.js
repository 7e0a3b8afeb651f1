// PersonService's searchPersonByPhoneticCriteria from node-soap, for tests/e2e/test_person_search.py.
//
// node search.js WSDL_URL USERNAME PASSWORD
// Prints one JSON object: a search's result, an impossible date's fault, and node-soap's warnings.
"use strict";

const { TEXT_TOKEN, call, run } = require("./soap_script");

const [wsdlUrl, username, password] = process.argv.slice(2);
const SEARCH = "searchPersonByPhoneticCriteria";

run(wsdlUrl, username, password, TEXT_TOKEN, async (client, out) => {
  out.search = await call(client, SEARCH, {
    lastName: "VANDENBROEK",
    firstName: "Jean Pierre",
    birthDate: "1985-07-00",
    maxResults: 5,
  });
  out.invalidDate = await call(client, SEARCH, { lastName: "Peeters", birthDate: "2021-02-30" });
});
