import datetime

import inngest

from shop.client import client
from shop.events import ORDER_PLACED, ORDER_SHIPPED, PAYMENT_CONFIRMED
from shop.steps import every_order, reserve_stock


@client.create_function(fn_id="fulfil-order", trigger=inngest.TriggerEvent(event=ORDER_PLACED))
async def fulfil_order(ctx: inngest.Context) -> dict:
    order = ctx.event.data
    for item in order["items"]:
        await ctx.step.run("reserve", reserve_stock, item)

    payment = await ctx.step.wait_for_event(
        "wait-payment",
        event=PAYMENT_CONFIRMED,
        if_exp="async.data.orderId == event.data.order_id",
        timeout=datetime.timedelta(hours=1),
    )
    if payment is None:
        return {"status": "payment-timeout"}
    await ctx.step.send_event("ship", inngest.Event(name="shop/order.ship_requested", data={"order_id": order["order_id"]}))
    return {"status": "paid", "amount": payment.data["amount"]}


@client.create_function(fn_id="ship-order", trigger=inngest.TriggerEvent(event="shop/order.ship-requested"))
def ship_order(ctx: inngest.ContextSync) -> None:
    ctx.step.run("label", lambda: {"label": ctx.event.data["order_id"]})


@client.create_function(fn_id="nightly-report", trigger=inngest.TriggerCron(cron="0 3 * * *"))
def nightly_report(ctx: inngest.ContextSync) -> dict:
    orders = ctx.step.run("load-orders", every_order)
    return {"orders": len(orders)}


@client.create_function(fn_id="notify-shipped", trigger=inngest.TriggerEvent(event=ORDER_SHIPPED))
async def notify_shipped(ctx: inngest.Context) -> None:
    await ctx.step.run("email", lambda: {"sent": True})
