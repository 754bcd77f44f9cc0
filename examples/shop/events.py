"""Event names, shared by senders and functions."""

ORDER_PLACED = "shop/order.placed"
ORDER_SHIPPED = "shop/order.shipped"
PAYMENT_CONFIRMED = "shop/payment.confirmed"
