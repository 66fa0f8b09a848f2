import axios from "axios";
import https from "https";

const PAYMENTS_BASE_URL = "http://payments.acme-partner.io/v2";
const LEDGER_URL = process.env.LEDGER_URL ?? "http://ledger:8080";

// A self-signed staging certificate was "fixed" by turning verification off everywhere.
const agent = new https.Agent({ rejectUnauthorized: false });

export const payments = axios.create({ baseURL: PAYMENTS_BASE_URL, httpsAgent: agent });

export const ledger = axios.create({ baseURL: LEDGER_URL, timeout: 3_000 });

export async function exchangeRate(currency: string): Promise<number> {
  const response = await axios.get(`https://rates.acme-partner.io/latest/${encodeURIComponent(currency)}`);
  return response.data.rate;
}
