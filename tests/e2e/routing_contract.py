"""RoutingService's WSDL as CONTRACT.md section 10 says it (tests/e2e/test_wsdl.py checks the served one against it):
every complex content as a path from a global element, its children in order with 1 (required), 0 (optional)
or UNBOUNDED (a list's items); then the simple types it names."""

from tests.e2e.helpers import XS

UNBOUNDED = "unbounded"  # as tests/e2e/test_wsdl.py writes a list's items
FLOWS = {"pattern": "[A-Z][A-Z0-9_]{1,31}"}  # a flow's code (1.1 widened v1's enumeration to it)

# RoutingService (CONTRACT.md section 10)
ROUTING_CONTRACT = {
    "findHolders": {"ssin": 1, "date": 0, "dossierType": 0},
    "findHoldersResponse": {"holders": 1},
    "findHoldersResponse/holders": {"holder": UNBOUNDED},
    "findHoldersResponse/holders/holder": {"bce": 1, "dossierType": 1, "period": 1},
    "findHoldersResponse/holders/holder/period": {"startDate": 1, "endDate": 0},
    "checkAuthorization": {"bce": 1, "ssin": 1, "date": 0, "flow": 0},
    "checkAuthorizationResponse": {"authorized": 1, "reason": 1, "registrations": 1},
    "checkAuthorizationResponse/registrations": {"registration": UNBOUNDED},
    "checkAuthorizationResponse/registrations/registration": {"ssin": 1, "dossierType": 1, "period": 1},
}
ROUTING_SIMPLE = {
    "findHolders/ssin": (f"{{{XS}}}string", {"pattern": "[0-9]{11}"}),
    "findHolders/date": (f"{{{XS}}}date", {}),
    "findHolders/dossierType": (f"{{{XS}}}string", {"minLength": "1"}),
    "findHoldersResponse/holders/holder/bce": (f"{{{XS}}}string", {"pattern": "[0-9]{10}"}),
    "checkAuthorization/bce": (f"{{{XS}}}string", {"pattern": "[0-9]{10}"}),
    "checkAuthorization/flow": (f"{{{XS}}}string", FLOWS),
    "checkAuthorizationResponse/authorized": (f"{{{XS}}}boolean", {}),
    "checkAuthorizationResponse/reason": (
        f"{{{XS}}}string",
        {"enumeration": ["AUTHORIZED", "UNKNOWN_TENANT", "NO_LINE", "NO_FLOW_AUTHORIZATION"]},
    ),
}
