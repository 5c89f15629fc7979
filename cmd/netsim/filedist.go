package main

import "netsim/apps/filedist"

// The textbook's bounds come from the filedist model itself, so `netsim bounds` and the
// theory curves of filedist scenarios cannot disagree.

func (backend) ClientServerBound(fileBits, serverUploadBps float64, downloadBps []float64) (float64, string) {
	return filedist.ClientServerBound(fileBits, serverUploadBps, downloadBps)
}

func (backend) P2PBound(fileBits, serverUploadBps float64, uploadBps, downloadBps []float64) (float64, string) {
	return filedist.P2PBound(fileBits, serverUploadBps, uploadBps, downloadBps)
}
