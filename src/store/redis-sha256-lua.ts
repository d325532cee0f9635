/**
 * SHA-256 (FIPS 180-4) in Redis' Lua 5.1, for the hash chain of the logs (see `redis-scripts.ts`).
 *
 * Why in Lua: Redis scripts only have `redis.sha1hex`, and the chain link must be computed inside the same
 * script that reads the chain head and appends, so two replicas appending at once can never both link to
 * the same head (a client-computed hash would need a read, then a conditional write, then retries under
 * contention; in the script there is nothing to race). Redis ships LuaBitOp (`bit`), whose operations work
 * on 32-bit words and return signed results: sums are folded back with `bit.tobit`, which is exact because
 * at most five 32-bit terms are added (far below 2^53). `bit.tohex(x, 8)` prints the unsigned word.
 *
 * Defines the local function `sha256hex(message)`; message bytes are taken as they are (UTF-8 from Node).
 * Tested against Node's crypto on random messages around every padding boundary (test/store).
 */
export const SHA256_LUA = `
local band, bxor, bnot = bit.band, bit.bxor, bit.bnot
local rshift, ror, tobit, tohex = bit.rshift, bit.ror, bit.tobit, bit.tohex
local sha256_k = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do sha256_k[i] = tobit(sha256_k[i]) end

local function sha256hex(message)
  local len = #message
  -- Padding: 0x80, zeros up to 56 mod 64, then the length in bits as a 64-bit big-endian number.
  local zeros = (55 - len) % 64
  local bits = len * 8
  local high = math.floor(bits / 4294967296)
  local low = bits % 4294967296
  local padded = message .. '\\128' .. string.rep('\\0', zeros) .. string.char(
    math.floor(high / 16777216) % 256, math.floor(high / 65536) % 256, math.floor(high / 256) % 256, high % 256,
    math.floor(low / 16777216) % 256, math.floor(low / 65536) % 256, math.floor(low / 256) % 256, low % 256)
  local h0, h1, h2, h3 = tobit(0x6a09e667), tobit(0xbb67ae85), tobit(0x3c6ef372), tobit(0xa54ff53a)
  local h4, h5, h6, h7 = tobit(0x510e527f), tobit(0x9b05688c), tobit(0x1f83d9ab), tobit(0x5be0cd19)
  local w = {}
  for chunk = 1, #padded, 64 do
    for i = 0, 15 do
      local b1, b2, b3, b4 = string.byte(padded, chunk + i * 4, chunk + i * 4 + 3)
      w[i] = tobit(b1 * 16777216 + b2 * 65536 + b3 * 256 + b4)
    end
    for i = 16, 63 do
      local x, y = w[i - 15], w[i - 2]
      local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
      local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, h = h0, h1, h2, h3, h4, h5, h6, h7
    for i = 0, 63 do
      local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = h + S1 + ch + sha256_k[i + 1] + w[i]
      local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      h, g, f, e = g, f, e, tobit(d + t1)
      d, c, b, a = c, b, a, tobit(t1 + S0 + maj)
    end
    h0, h1, h2, h3 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d)
    h4, h5, h6, h7 = tobit(h4 + e), tobit(h5 + f), tobit(h6 + g), tobit(h7 + h)
  end
  return tohex(h0, 8) .. tohex(h1, 8) .. tohex(h2, 8) .. tohex(h3, 8) ..
    tohex(h4, 8) .. tohex(h5, 8) .. tohex(h6, 8) .. tohex(h7, 8)
end
`;
