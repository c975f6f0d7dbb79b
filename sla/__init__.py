"""SLA clock: working-day calendar (China, Asia/Shanghai) used to compute case deadlines."""
