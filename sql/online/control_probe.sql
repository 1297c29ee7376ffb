-- Harness only (make verify-online): the control probe. It touches no table, so no lock can hold
-- it up: when it is slow too, the machine was busy (CPU, the harness's own event loop), and an
-- app statement's wait in that step is not the pack's alone. Not held to the budget.
SELECT 1 AS ok
