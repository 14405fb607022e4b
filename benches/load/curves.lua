-- wrk script: GET /v2/curves with filters and limit 100, rotating through typical queries.
local paths = {
  "/v2/curves?iso=PJM&block=ON_PEAK&market=DA&limit=100",
  "/v2/curves?iso=ERCOT&tenor_type=MONTHLY&limit=100",
  "/v2/curves?asset_class=gas&limit=100",
  "/v2/curves?iso=CAISO&block=OFF_PEAK&market=RT&limit=100",
  "/v2/curves?iso=MISO&market=DA&limit=100",
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
