"""StarNet Studio desktop app (Qt). Imports core; core never imports app."""
