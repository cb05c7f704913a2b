"""Partner statistics: periods, queries over hourly rollups plus the raw tail, chat screens, chart, CSV, alerts."""
