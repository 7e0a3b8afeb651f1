"""Spyne types shared by every service: the common schema (urn:be:raas:common:v1).

Spyne makes every field ``minOccurs=0 nillable=true`` unless told otherwise and
emits an anonymous copy of a named simple type for each customisation, so each
simple type is declared here twice, required and optional, under one name.
"""

from __future__ import annotations

from spyne import ComplexModel, Date, Integer32, Unicode
from spyne.model import ModelBase

from register.soap.namespaces import COMMON


def _named(base: type[ModelBase], name: str, **facets) -> tuple[type[ModelBase], type[ModelBase]]:
    def variant(min_occurs: int):
        cls = base.customize(type_name=name, min_occurs=min_occurs, nillable=False, **facets)
        cls.__namespace__ = COMMON
        return cls

    return variant(1), variant(0)


def required(cls: type[ModelBase]) -> type[ModelBase]:
    return cls.customize(min_occurs=1, nillable=False)


def optional(cls: type[ModelBase]) -> type[ModelBase]:
    return cls.customize(min_occurs=0, nillable=False)


Ssin, OptionalSsin = _named(Unicode, "ssin", pattern="[0-9]{11}")
Text, OptionalText = _named(Unicode, "text", min_len=1, max_len=256)
Code, OptionalCode = _named(Unicode, "code", min_len=1, max_len=64)
# CBSS t_IncompleteDate: dd, or mm-dd, may be 00 (unknown)
IncompleteDate, OptionalIncompleteDate = _named(Unicode, "incompleteDate", pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}")
Gender, OptionalGender = _named(Unicode, "gender", values=("M", "F"))
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


class Information(ComplexModel):
    __namespace__ = COMMON
    _type_info = [("fieldName", Text), ("fieldValue", Unicode(min_occurs=1, nillable=False))]


class FaultDetail(ComplexModel):
    """Published in every WSDL; faults carry it as their detail (register.soap.faults)."""

    __namespace__ = COMMON
    _type_info = [
        ("reasonCode", Text),
        ("diagnostic", OptionalText),
        ("information", Information.customize(min_occurs=0, max_occurs="unbounded", nillable=False)),
    ]
