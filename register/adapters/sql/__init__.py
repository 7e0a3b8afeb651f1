"""The current source of every SQL function, trigger, policy and grant (register.adapters.sql_source applies it)."""
