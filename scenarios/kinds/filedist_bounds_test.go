package kinds

import "testing"

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		s    float64
		want string
	}{
		{5000, "1h23m20s"},
		{0.0015, "2ms"},
		{1846.1538461538462, "30m46.154s"},
		{1e12, "3.17e+04 years"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.s); got != tt.want {
			t.Errorf("humanDuration(%g) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
