module pno.invalid/fixture-service

go 1.26
