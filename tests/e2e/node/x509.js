// RegisterService from node-soap signing with an X.509 certificate (WSSecurityCert), for tests/e2e/test_x509.py.
//
// node x509.js WSDL_URL KEY_PEM CERT_PEM MODE
//   MODE "sha256": RSA-SHA256 signature, SHA-256 digests, a Timestamp (the contract accepts it)
//   MODE "sha1":   RSA-SHA1 signature, SHA-1 digests (the contract refuses it)
// Prints one JSON object: listDossierTypes' result, or its fault, and node-soap's warnings.
"use strict";

const fs = require("fs");
const soap = require("soap");
const { call } = require("./soap_script");

const [wsdlUrl, keyFile, certFile, mode] = process.argv.slice(2);

const ALGORITHMS = {
  sha256: {
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  },
  sha1: {
    signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1",
  },
};

async function main() {
  const warnings = [];
  const originalWarn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  const client = await soap.createClientAsync(wsdlUrl, { disableCache: true });
  const security = new soap.WSSecurityCert(fs.readFileSync(keyFile), fs.readFileSync(certFile), "", {
    hasTimeStamp: true,
    ...ALGORITHMS[mode],
  });
  client.setSecurity(security);
  const out = { warnings };
  out.listDossierTypes = await call(client, "listDossierTypes", {});
  console.warn = originalWarn;
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(1);
});
