import inngest
import inngest.fast_api
from fastapi import FastAPI

from shop.client import client
from shop.events import ORDER_PLACED, PAYMENT_CONFIRMED
from shop.workflows import fulfil_order, nightly_report, ship_order

app = FastAPI()
inngest.fast_api.serve(app, client, [fulfil_order, ship_order, nightly_report])


@app.post("/orders")
async def place_order(order: dict) -> dict:
    await client.send(inngest.Event(name=ORDER_PLACED, data={"order_id": order["id"], "items": order["items"]}))
    return {"ok": True}


@app.post("/payments/{order_id}")
async def confirm_payment(order_id: str, amount: int) -> dict:
    await client.send(inngest.Event(name=PAYMENT_CONFIRMED, data={"order_id": order_id, "amount": amount}))
    return {"ok": True}
