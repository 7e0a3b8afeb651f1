"""Spyne types shared by every service: the common schema (urn:be:raas:common:v1).

Spyne makes every field ``minOccurs=0 nillable=true`` unless told otherwise and
emits an anonymous copy of a named simple type for each customisation, so each
simple type is declared here twice, required and optional, under one name.
"""

from __future__ import annotations

from spyne import Array, ComplexModel, Date, Integer32, Unicode
from spyne.model import ModelBase

from register.soap.namespaces import COMMON


def named(
    base: type[ModelBase], name: str, namespace: str = COMMON, **facets
) -> tuple[type[ModelBase], type[ModelBase]]:
    """A named simple type as (required, optional) variants."""

    def variant(min_occurs: int):
        cls = base.customize(type_name=name, min_occurs=min_occurs, nillable=False, **facets)
        cls.__namespace__ = namespace
        return cls

    return variant(1), variant(0)


def required(cls: type[ModelBase]) -> type[ModelBase]:
    return cls.customize(min_occurs=1, nillable=False)


def optional(cls: type[ModelBase]) -> type[ModelBase]:
    return cls.customize(min_occurs=0, nillable=False)


def list_of(cls: type[ModelBase], item: str) -> type[ModelBase]:
    """The contract's list: a required wrapper holding zero or more non-nillable items."""
    return Array(cls.customize(nillable=False), member_name=item).customize(min_occurs=1, nillable=False)


Ssin, OptionalSsin = named(Unicode, "ssin", pattern="[0-9]{11}")
Text, OptionalText = named(Unicode, "text", min_len=1, max_len=256)
Code, OptionalCode = named(Unicode, "code", min_len=1, max_len=64)
Value, _ = named(Unicode, "value", min_len=1)  # a fault's fieldValue: what was sent, unbounded
# CBSS t_IncompleteDate: dd, or mm-dd, may be 00 (unknown)
IncompleteDate, OptionalIncompleteDate = named(Unicode, "incompleteDate", pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}")
Gender, OptionalGender = named(Unicode, "gender", values=("M", "F"))
RequiredDate = required(Date)
OptionalDate = optional(Date)
Count = Integer32(min_occurs=1, nillable=False)


class Period(ComplexModel):
    """Both days inclusive; no endDate = open-ended."""

    __namespace__ = COMMON
    _type_info = [("startDate", RequiredDate), ("endDate", OptionalDate)]


class Identity(ComplexModel):
    __namespace__ = COMMON
    _type_info = [
        ("lastName", OptionalText),
        ("firstName", OptionalText),
        ("birthDate", OptionalIncompleteDate),
        ("gender", OptionalGender),
    ]


class Address(ComplexModel):
    """A postal address; every part optional."""

    __namespace__ = COMMON
    _type_info = [
        ("street", OptionalText),
        ("houseNumber", OptionalText),
        ("box", OptionalText),
        ("postalCode", OptionalText),
        ("municipality", OptionalText),
        ("country", OptionalText),
    ]


class Information(ComplexModel):
    __namespace__ = COMMON
    _type_info = [("fieldName", Text), ("fieldValue", Value)]


class FaultDetail(ComplexModel):
    """Published in every WSDL; faults carry it as their detail (register.soap.faults)."""

    __namespace__ = COMMON
    _type_info = [
        ("reasonCode", Text),
        ("diagnostic", OptionalText),
        ("information", Information.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
    ]


# Published in every WSDL, used or not: the common schema is the same document in each (CONTRACT.md section 1).
COMMON_TYPES = [
    Ssin, OptionalSsin, Text, OptionalText, Code, OptionalCode, Value, IncompleteDate, OptionalIncompleteDate,
    Gender, OptionalGender, Period, Identity, Address, Information, FaultDetail,
]  # fmt: skip
