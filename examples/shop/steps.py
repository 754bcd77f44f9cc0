import httpx
from inngest.errors import RetryAfterError

from shop import db


async def reserve_stock(item: dict) -> dict:
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post("https://stock.example.com/reserve", json=item)
        if response.status_code == 429:
            raise RetryAfterError("30s", "stock service is rate limiting")
        return {"reserved": item["sku"]}


def every_order() -> list:
    return db.orders.all()
