"""XML namespaces of the contract (CONTRACT.md section 1), in one place."""

COMMON = "urn:be:raas:common:v1"
REGISTER = "urn:be:raas:register:v1"
PERSON = "urn:be:raas:person:v1"
SUBSCRIPTION = "urn:be:raas:subscription:v1"

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
ROUTING = "urn:be:raas:routing:v1"  # 1.1: RoutingService, for the network's own components
