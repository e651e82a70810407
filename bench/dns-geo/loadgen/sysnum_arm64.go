package main

const (
	sysSendmmsg = 269
	sysRecvmmsg = 243
)
