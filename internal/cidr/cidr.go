// Package cidr is the IPv4 address arithmetic the config validation and the network components
// share: carving a VPC's CIDR into its subnets.
package cidr

import (
	"fmt"
	"net/netip"
)

// Subnets carves count consecutive subnets of the given prefix length from the start of vpcCidr.
func Subnets(vpcCidr string, prefixLength, count int) ([]string, error) {
	vpc, err := netip.ParsePrefix(vpcCidr)
	if err != nil {
		return nil, err
	}
	if prefixLength < vpc.Bits() {
		return nil, fmt.Errorf("a /%d subnet is larger than the VPC %s", prefixLength, vpc)
	}
	if capacity := 1 << (prefixLength - vpc.Bits()); count > capacity {
		return nil, fmt.Errorf("%d subnets of /%d do not fit in %s (room for %d)", count, prefixLength, vpc, capacity)
	}
	out := make([]string, 0, count)
	addr := vpc.Addr().As4()
	base := uint32(addr[0])<<24 | uint32(addr[1])<<16 | uint32(addr[2])<<8 | uint32(addr[3])
	step := uint32(1) << (32 - prefixLength)
	for i := 0; i < count; i++ {
		n := base + uint32(i)*step
		a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		out = append(out, netip.PrefixFrom(a, prefixLength).String())
	}
	return out, nil
}
