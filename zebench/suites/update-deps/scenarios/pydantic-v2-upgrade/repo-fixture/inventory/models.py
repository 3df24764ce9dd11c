"""Data models for stock items and stock reports."""

from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel, Field, root_validator, validator


class Item(BaseModel):
    """One stock-keeping unit as stored by the warehouse."""

    sku: str = Field(..., min_length=3, max_length=32)
    name: str = Field(..., min_length=1)
    quantity: int = Field(0, ge=0)
    unit_price: float = Field(..., gt=0)
    tags: List[str] = []
    updated_at: Optional[datetime] = None

    class Config:
        allow_mutation = False
        anystr_strip_whitespace = True

    @validator("sku")
    def normalise_sku(cls, value):
        return value.upper()

    @validator("tags", each_item=True)
    def normalise_tag(cls, value):
        return value.lower()

    @property
    def stock_value(self) -> float:
        return round(self.quantity * self.unit_price, 2)


class StockReport(BaseModel):
    """A snapshot of several items, pushed to the central inventory service."""

    items: List[Item]
    generated_at: datetime

    @root_validator
    def unique_skus(cls, values):
        skus = [item.sku for item in values.get("items", [])]
        if len(skus) != len(set(skus)):
            raise ValueError("duplicate SKU in stock report")
        return values

    @property
    def total_value(self) -> float:
        return round(sum(item.stock_value for item in self.items), 2)

    def to_payload(self) -> dict:
        return self.dict(exclude_none=True)

    def to_json(self) -> str:
        return self.json(exclude_none=True)

    @classmethod
    def from_payload(cls, data: dict) -> "StockReport":
        return cls.parse_obj(data)

    @classmethod
    def json_schema(cls) -> dict:
        return cls.schema()
