module example.com/rsyncsidekick

go 1.25.0
