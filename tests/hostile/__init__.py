"""An outside tester's findings after issue 17: each test reproduces one, as a client or a
careless user would meet it."""
