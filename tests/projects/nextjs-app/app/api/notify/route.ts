import { NextResponse } from "next/server";
import { sendNotification } from "@/lib/notify";

export async function POST() {
  await sendNotification("deploys", "a deploy finished");
  return NextResponse.json({ ok: true });
}
