import axios from "axios";

// A component and a route handler both import this: the route handler's call runs on the server.
export async function sendNotification(channel: string, text: string) {
  await axios.post(`https://hooks.example.com/${channel}`, { text });
}
