import axios from "axios";

// The dashboard page is a server component: this request runs on the server.
export async function loadStats() {
  const { data } = await axios.get("https://stats.example.com/summary");
  return data;
}
