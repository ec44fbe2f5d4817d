"""Orders service: create and fetch orders (a tiny demo)."""
from dataclasses import dataclass, field


@dataclass
class Orders:
    items: dict = field(default_factory=dict)

    def create(self, order_id: str, amount_cents: int) -> dict:
        if amount_cents <= 0:
            raise ValueError("amount must be positive")
        # Idempotent: creating the same order twice returns the first one.
        return self.items.setdefault(order_id, {"id": order_id, "amount_cents": amount_cents})

    def get(self, order_id: str):
        return self.items.get(order_id)
