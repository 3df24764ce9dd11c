"""Data models for stock items and stock reports."""

from datetime import datetime
from typing import List, Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Item(BaseModel):
    """One stock-keeping unit as stored by the warehouse."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    sku: str = Field(..., min_length=3, max_length=32)
    name: str = Field(..., min_length=1)
    quantity: int = Field(0, ge=0)
    unit_price: float = Field(..., gt=0)
    tags: List[str] = []
    updated_at: Optional[datetime] = None

    @field_validator("sku")
    @classmethod
    def normalise_sku(cls, value: str) -> str:
        return value.upper()

    @field_validator("tags")
    @classmethod
    def normalise_tags(cls, value: List[str]) -> List[str]:
        return [tag.lower() for tag in value]

    @property
    def stock_value(self) -> float:
        return round(self.quantity * self.unit_price, 2)


class StockReport(BaseModel):
    """A snapshot of several items, pushed to the central inventory service."""

    items: List[Item]
    generated_at: datetime

    @model_validator(mode="after")
    def unique_skus(self) -> "StockReport":
        skus = [item.sku for item in self.items]
        if len(skus) != len(set(skus)):
            raise ValueError("duplicate SKU in stock report")
        return self

    @property
    def total_value(self) -> float:
        return round(sum(item.stock_value for item in self.items), 2)

    def to_payload(self) -> dict:
        return self.model_dump(exclude_none=True)

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def from_payload(cls, data: dict) -> "StockReport":
        return cls.model_validate(data)

    @classmethod
    def json_schema(cls) -> dict:
        return cls.model_json_schema()
